import { TelemetryQueryOptions, TelemetryRepository, TelemetryWriter } from '@iag/storage';
import { influxQuery, influxWrite } from '../../support/influx';
import { StorageHarness, startStorage } from './storage-harness';

const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();
/** Each device's own metric names, as DeviceMetricNames would hold them. */
const OWN: Record<string, string[]> = {
  'dev-a': ['temp', 'hum', 'pres'],
  'dev-b': ['temp'],
  [`we'ird"dev`]: ['temp'],
  'dev-many': ['n'],
};

describe(TelemetryRepository.name, () => {
  let storage: StorageHarness;
  let repository: TelemetryRepository;
  const query = (id: string, q: TelemetryQueryOptions) => repository.query(id, q, OWN[id] ?? []);

  beforeAll(async () => {
    storage = await startStorage({ WRITE_BATCH_MS: '5' });
    repository = storage.get(TelemetryRepository);
    const writer = storage.get(TelemetryWriter);
    // dev-a: one reading per second for 60 s; temp = i, hum = 100 - i; "pres" only on every 10th second
    await writer.enqueue(
      'dev-a',
      Array.from({ length: 60 }, (_, i) => ({
        ts: T0 + i * 1000,
        values: {
          temp: i,
          hum: 100 - i,
          ...(i % 10 === 0 ? { pres: 1000 + i } : {}),
        } as Record<string, number>,
      })),
    );
    await writer.enqueue('dev-b', [{ ts: T0 + 5000, values: { temp: -1 } }]);
    await writer.enqueue(`we'ird"dev`, [{ ts: T0, values: { temp: 7 } }]);
    await writer.flush();
  });
  afterAll(() => storage.close());

  it('returns raw points oldest first, with null for metrics a reading did not carry', async () => {
    const result = await query('dev-a', {
      from: T0 + 9000,
      to: T0 + 11_000,
      fn: 'mean',
    });
    expect(result).toEqual({
      deviceId: 'dev-a',
      from: iso(T0 + 9000),
      to: iso(T0 + 11_000),
      every: null,
      fn: null,
      series: [
        { time: iso(T0 + 9000), values: { temp: 9, hum: 91, pres: null } },
        { time: iso(T0 + 10_000), values: { temp: 10, hum: 90, pres: 1010 } },
        { time: iso(T0 + 11_000), values: { temp: 11, hum: 89, pres: null } },
      ],
    });
  });

  it('selects only the asked metrics and keeps other devices out', async () => {
    const result = await query('dev-a', {
      from: T0,
      to: T0 + 5000,
      metrics: ['temp'],
      fn: 'mean',
    });
    expect(result.series.map((p) => p.values)).toEqual(
      [0, 1, 2, 3, 4, 5].map((temp) => ({ temp })),
    );
  });

  it('aggregates per bucket with the chosen function, naming columns by metric', async () => {
    const mean = await query('dev-a', {
      from: T0,
      to: T0 + 59_999,
      every: 20_000,
      fn: 'mean',
    });
    expect(mean.every).toBe('20000ms');
    expect(mean.fn).toBe('mean');
    expect(mean.series).toEqual([
      { time: iso(T0), values: { temp: 9.5, hum: 90.5, pres: 1005 } },
      { time: iso(T0 + 20_000), values: { temp: 29.5, hum: 70.5, pres: 1025 } },
      { time: iso(T0 + 40_000), values: { temp: 49.5, hum: 50.5, pres: 1045 } },
    ]);

    const max = await query('dev-a', {
      from: T0,
      to: T0 + 59_999,
      every: 30_000,
      fn: 'max',
      metrics: ['temp'],
    });
    expect(max.series).toEqual([
      { time: iso(T0), values: { temp: 29 } },
      { time: iso(T0 + 30_000), values: { temp: 59 } },
    ]);

    for (const fn of ['min', 'last', 'median'] as const) {
      const result = await query('dev-a', {
        from: T0,
        to: T0 + 59_999,
        every: 60_000,
        fn,
      });
      const expected = { min: 0, last: 59, median: 29.5 }[fn];
      expect({ fn, temp: result.series[0].values.temp }).toEqual({ fn, temp: expected });
    }
  });

  it('leaves empty buckets out (fill(none))', async () => {
    const result = await query('dev-b', {
      from: T0,
      to: T0 + 59_999,
      every: 10_000,
      fn: 'mean',
    });
    expect(result.series).toEqual([{ time: iso(T0), values: { temp: -1 } }]);
  });

  it('escapes device ids in InfluxQL', async () => {
    const result = await query(`we'ird"dev`, { from: T0, to: T0 + 1000, fn: 'mean' });
    expect(result.series).toEqual([{ time: iso(T0), values: { temp: 7 } }]);
    const injected = await query(`x' OR '1'='1`, {
      from: T0,
      to: T0 + 60_000,
      fn: 'mean',
    });
    expect(injected.series).toEqual([]);
  });

  it('counts stored points per device, whatever metrics each carried', async () => {
    expect(await repository.count('dev-a')).toBe(60);
    expect(await repository.count('dev-b')).toBe(1);
    expect(await repository.count('nobody')).toBe(0);
  });

  it('returns at most the newest 10,000 raw points, oldest first', async () => {
    const writer = storage.get(TelemetryWriter);
    await writer.enqueue(
      'dev-many',
      Array.from({ length: 10_005 }, (_, i) => ({ ts: T0 + i, values: { n: i } })),
    );
    await writer.flush();
    const result = await query('dev-many', { from: T0, to: T0 + 20_000, fn: 'mean' });
    expect(result.series).toHaveLength(10_000);
    expect(result.series[0]).toEqual({ time: iso(T0 + 5), values: { n: 5 } });
    expect(result.series[9_999]).toEqual({ time: iso(T0 + 10_004), values: { n: 10_004 } });
    expect(await repository.count('dev-many')).toBe(10_005);
  });

  it('answers nothing, without asking InfluxDB, for a device with no metric names', async () => {
    const result = await repository.query('dev-a', { from: T0, to: T0 + 60_000, fn: 'mean' }, []);
    expect(result.series).toEqual([]);
  });

  describe('a field named like the device tag, stored by an older build', () => {
    const range = { from: T0, to: T0 + 59_999 };
    beforeAll(async () => {
      // What an older build stored for {"device_id": 1} and a burst of junk names: fields of the
      // measurement that every device's query could otherwise see.
      const junk = Array.from({ length: 50 }, (_, i) => `junk_${i}=1`).join(',');
      await influxWrite(
        storage.config.influx.database,
        `telemetry,device_id=rogue device_id=1,${junk} ${T0 + 1}\n`,
      );
      const fields = await influxQuery(storage.config.influx.database, 'SHOW FIELD KEYS');
      expect(fields.map((f) => f.fieldKey)).toEqual(expect.arrayContaining(['device_id']));
    });

    it("blinds none of another device's raw, aggregated or metrics= queries", async () => {
      const raw = await query('dev-a', { ...range, fn: 'mean' });
      expect(raw.series).toHaveLength(60);
      expect(Object.keys(raw.series[0].values)).toEqual(['temp', 'hum', 'pres']);
      const mean = await query('dev-a', { ...range, every: 60_000, fn: 'mean' });
      expect(mean.series).toEqual([
        { time: iso(T0), values: { temp: 29.5, hum: 70.5, pres: 1025 } },
      ]);
      const asked = await query('dev-a', { ...range, fn: 'max', every: 60_000, metrics: ['hum'] });
      expect(asked.series).toEqual([{ time: iso(T0), values: { hum: 100 } }]);
    });

    it('still counts the device and lists it among the devices with telemetry', async () => {
      expect(await repository.count('dev-a')).toBe(60);
      expect(await repository.deviceIds()).toEqual(expect.arrayContaining(['dev-a', 'rogue']));
      expect(await repository.count('rogue')).toBe(1);
    });
  });
});
