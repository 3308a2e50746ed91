import { METRICS } from './device-model';
import { FAULT_KINDS, FaultKind } from './faults';
import { FaultWindow, fleetIds, SimulatedDevice } from './simulated-device';

const MINUTE = 60_000;
const START = Date.parse('2026-01-01T00:00:00Z');

function series(device: SimulatedDevice, count: number, intervalMs = MINUTE) {
  return Array.from({ length: count }, (_, i) => device.next(START + i * intervalMs));
}

function correlation(a: number[], b: number[]): number {
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const [ma, mb] = [mean(a), mean(b)];
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - ma) * (b[i] - mb);
    da += (a[i] - ma) ** 2;
    db += (b[i] - mb) ** 2;
  }
  return num / Math.sqrt(da * db);
}

const clean = { faultsPerHour: 0, intervalMs: MINUTE, warmupReadings: 0 };

describe(SimulatedDevice.name, () => {
  it('gives the same series for the same id and seed, and another for another seed', () => {
    const a = series(new SimulatedDevice('sim-0001', 7, clean), 50);
    const b = series(new SimulatedDevice('sim-0001', 7, clean), 50);
    const c = series(new SimulatedDevice('sim-0001', 8, clean), 50);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('gives each device its own offsets', () => {
    const temps = fleetIds(5).map(
      (id) => new SimulatedDevice(id, 1, clean).next(START).values.temp,
    );
    expect(new Set(temps.map((t) => t.toFixed(2))).size).toBe(5);
  });

  it('follows a daily cycle, with humidity against temperature and power with it', () => {
    const day = series(new SimulatedDevice('sim-0003', 1, clean), 2 * 1440);
    const temp = day.map((r) => r.values.temp);
    expect(Math.max(...temp) - Math.min(...temp)).toBeGreaterThan(2);
    expect(
      correlation(
        temp,
        day.map((r) => r.values.hum),
      ),
    ).toBeLessThan(-0.8);
    const warm = day.filter((r) => r.values.temp > 22.5); // the fan runs above 22 °C
    expect(warm.length).toBeGreaterThan(100);
    const [warmTemp, warmPower] = [warm.map((r) => r.values.temp), warm.map((r) => r.values.power)];
    expect(correlation(warmTemp, warmPower)).toBeGreaterThan(0.5);
    for (const r of day) for (const m of METRICS) expect(Number.isFinite(r.values[m])).toBe(true);
  });

  it('never starts a random fault without faultsPerHour', () => {
    expect(
      series(new SimulatedDevice('sim-0001', 1, clean), 2000).every((r) => r.fault === null),
    ).toBe(true);
  });

  it.each(FAULT_KINDS.map((k) => [k]))('labels every reading of an injected %s fault', (kind) => {
    const windows: FaultWindow[] = [];
    const device = new SimulatedDevice('sim-0001', 1, clean, (w) => windows.push(w));
    series(device, 10);
    device.inject(kind as FaultKind);
    const readings = Array.from({ length: 400 }, (_, i) => device.next(START + (10 + i) * MINUTE));
    const labelled = readings.filter((r) => r.fault === kind);
    expect(labelled.length).toBeGreaterThan(0);
    expect(windows).toHaveLength(1);
    expect(windows[0]).toMatchObject({ deviceId: 'sim-0001', kind, startTs: labelled[0].ts });
    expect(windows[0].endTs).toBe(labelled[labelled.length - 1].ts);
    // the label covers one contiguous run of readings
    const first = readings.indexOf(labelled[0]);
    expect(readings.slice(first, first + labelled.length).every((r) => r.fault === kind)).toBe(
      true,
    );
  });

  it('moves the faulty metric away from the healthy twin', () => {
    const healthy = new SimulatedDevice('sim-0002', 3, clean);
    const faulty = new SimulatedDevice('sim-0002', 3, clean);
    series(healthy, 5);
    series(faulty, 5);
    faulty.inject('correlated');
    const ts = START + 5 * MINUTE;
    const [h, f] = [healthy.next(ts), faulty.next(ts)];
    expect(f.values.temp - h.values.temp).toBeGreaterThan(2);
    expect(f.values.power).toBeGreaterThan(h.values.power);
  });

  it('freezes a stuck sensor at one value', () => {
    const device = new SimulatedDevice('sim-0004', 1, clean);
    series(device, 5);
    device.inject('stuck');
    const stuck = series(device, 400).filter((r) => r.fault === 'stuck');
    const metric = METRICS.find((m) => new Set(stuck.map((r) => r.values[m])).size === 1);
    expect(metric).toBeDefined();
    expect(stuck.length).toBeGreaterThanOrEqual(60);
  });

  it('starts random faults at about the configured rate, after the warm-up', () => {
    const windows: FaultWindow[] = [];
    const device = new SimulatedDevice(
      'sim-0005',
      1,
      { faultsPerHour: 0.5, intervalMs: MINUTE, warmupReadings: 600 },
      (w) => windows.push(w),
    );
    const readings = series(device, 30 * 1440);
    expect(readings.slice(0, 600).every((r) => r.fault === null)).toBe(true);
    // 30 days at 0.5/h is at most 360 faults; faults last, so fewer start
    expect(windows.length).toBeGreaterThan(30);
    expect(windows.length).toBeLessThan(360);
  });
});
