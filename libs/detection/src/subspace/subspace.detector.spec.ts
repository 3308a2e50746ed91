import { Reading } from '@iag/contracts';
import { DeviceWindow } from '../detector.port';
import { describeDetectorContract } from '../testing/detector-contract';
import { seededGaussian } from '../util/seeded-random';
import { SubspaceDetector } from './subspace.detector';

const T0 = Date.UTC(2026, 0, 1);
const LEARN = 150;

describeDetectorContract(SubspaceDetector.name, {
  create: () => new SubspaceDetector({ learnReadings: 30, learnDurationMs: 0 }),
  learnReadings: 30,
});

function feed(
  detector: SubspaceDetector,
  deviceId: string,
  values: Record<string, number>[],
  from = 0,
) {
  return values.map((v, i) => detector.scoreOne(window(deviceId, v, from + i)));
}

function window(deviceId: string, values: Record<string, number>, i: number): DeviceWindow {
  const reading: Reading = { ts: T0 + i * 1000, values };
  return { deviceId, reading };
}

/** Two metrics that move together (a flow and the pump power that drives it) and a noisy third. */
function coupled(seed: number, n: number): Record<string, number>[] {
  const g = seededGaussian(seed, 0, 1);
  return Array.from({ length: n }, (_, i) => {
    const load = 50 + 20 * Math.sin(i / 7) + 2 * g();
    return { flow: load + 0.5 * g(), power: 2 * load + 1 * g(), temp: 21 + 0.3 * g() };
  });
}

describe(SubspaceDetector.name, () => {
  it('alarms when the relation between metrics breaks while each stays in its normal range', () => {
    const detector = new SubspaceDetector({ learnReadings: LEARN, learnDurationMs: 0 });
    const normal = coupled(1, LEARN + 100);
    const scores = feed(detector, 'pump-1', normal);
    expect(scores.slice(LEARN).every((s) => s !== null)).toBe(true);
    const quiet = scores.slice(LEARN).filter((s) => s!.score > 1).length;
    expect(quiet).toBeLessThanOrEqual(3);
    // Power drops to what a low flow would need while the flow stays high: both in range.
    const broken = feed(detector, 'pump-1', [{ flow: 68, power: 62, temp: 21 }], LEARN + 100)[0]!;
    expect(broken.score).toBeGreaterThan(3);
    expect(
      broken.contributions
        .slice(0, 2)
        .map((c) => c.name)
        .sort(),
    ).toEqual(['flow', 'power']);
    expect(broken.contributions.reduce((a, c) => a + c.contribution, 0)).toBeCloseTo(1, 9);
  });

  it('scores a metric that was constant while learning by its deviation, without dividing by zero', () => {
    const detector = new SubspaceDetector({ learnReadings: LEARN, learnDurationMs: 0 });
    const normal = coupled(2, LEARN + 20).map((v) => ({ ...v, pump3: 0 }));
    const scores = feed(detector, 'plant', normal);
    expect(scores.slice(LEARN).every((s) => s !== null && Number.isFinite(s.score))).toBe(true);
    const [started] = feed(detector, 'plant', [{ ...normal[5], pump3: 35 }], LEARN + 20);
    expect(started!.score).toBeGreaterThan(10);
    expect(started!.contributions[0].name).toBe('pump3');
  });

  it('copes with metrics on very different scales', () => {
    const detector = new SubspaceDetector({ learnReadings: LEARN, learnDurationMs: 0 });
    const g = seededGaussian(3, 0, 1);
    const values = Array.from({ length: LEARN + 50 }, () => {
      const x = g();
      return { pascal: 101_325 + 50 * x + g(), volts: 0.003 + 0.0001 * x + 0.00001 * g() };
    });
    const scores = feed(detector, 'mixed', values).slice(LEARN);
    expect(scores.filter((s) => s!.score > 1).length).toBeLessThanOrEqual(3);
    const [odd] = feed(
      detector,
      'mixed',
      [{ pascal: 101_325 + 50, volts: 0.003 - 0.0001 }],
      LEARN + 50,
    );
    expect(odd!.score).toBeGreaterThan(1);
  });

  it('learns without a metric the firmware sends only now and then, and scores the rest', () => {
    const detector = new SubspaceDetector({ learnReadings: LEARN, learnDurationMs: 0 });
    const values = coupled(4, 6 * LEARN).map((v, i) => (i % 10 === 0 ? { ...v, battery: 3.7 } : v));
    const scores = feed(detector, 'sparse', values);
    expect(scores.some((s) => s !== null)).toBe(true);
    expect([...detector.modelledMetrics('sparse')].sort()).toEqual(['flow', 'power', 'temp']);
  });

  it('keeps scoring when a metric stops coming, and learns a metric that appears later', () => {
    const detector = new SubspaceDetector({ learnReadings: LEARN, learnDurationMs: 0 });
    feed(detector, 'dev', coupled(5, LEARN + 10));
    // temp stops: the other two still judge the reading.
    const withoutTemp = coupled(6, 20).map(({ flow, power }) => ({ flow, power }));
    const scores = feed(detector, 'dev', withoutTemp, LEARN + 10);
    expect(scores.every((s) => s !== null && Number.isFinite(s.score))).toBe(true);
    // hum starts and stays: after a learning period of its own the model covers it too.
    const withHum = coupled(7, 3 * LEARN).map((v, i) => ({ ...v, hum: 40 + (i % 7) * 0.1 }));
    feed(detector, 'dev', withHum, LEARN + 30);
    expect(detector.modelledMetrics('dev')).toContain('hum');
  });

  it('says a noisy metric that repeats one value is stuck', () => {
    const detector = new SubspaceDetector({
      learnReadings: LEARN,
      learnDurationMs: 0,
      stuckReadings: 10,
    });
    feed(detector, 'valve', coupled(8, LEARN + 10));
    const frozen = coupled(9, 15).map((v) => ({ ...v, flow: 61.302 }));
    const scores = feed(detector, 'valve', frozen, LEARN + 10);
    const stuck = scores.find((s) => s!.score > 1 && s!.statistic === 'stuck')!;
    expect(stuck).toBeDefined();
    expect(stuck.contributions).toEqual([{ name: 'flow', contribution: 1 }]);
  });

  it('says a metric is stuck while a fast device still learns its model, after its first 150 readings', () => {
    const detector = new SubspaceDetector(); // 150 readings and 6 hours: at one a second, hours of learning
    feed(detector, 'fast', coupled(15, 200));
    const frozen = coupled(16, 15).map((v) => ({ ...v, flow: 42.125 }));
    const scores = feed(detector, 'fast', frozen, 200);
    expect(scores.slice(0, 10).every((s) => s === null)).toBe(true);
    const stuck = scores.find((s) => s !== null && s.score > 1)!;
    expect(stuck).toBeDefined();
    expect(stuck.statistic).toBe('stuck');
    expect(stuck.contributions).toEqual([{ name: 'flow', contribution: 1 }]);
  });

  it('never learns an ongoing episode as normal', () => {
    const detector = new SubspaceDetector({ learnReadings: LEARN, learnDurationMs: 0 });
    feed(detector, 'dev', coupled(10, LEARN + 50));
    // The pump draws far less power for its flow from now on, for 2000 readings.
    const drifted = coupled(11, 2000).map((v) => ({ ...v, power: v.power * 0.3 }));
    const scores = feed(detector, 'dev', drifted, LEARN + 50);
    expect(scores.slice(0, 10).every((s) => s!.score > 1)).toBe(true);
    expect(scores.slice(-100).every((s) => s!.score > 1)).toBe(true);
  });

  it('abstains on a device with one metric (the z-score scores it)', () => {
    const detector = new SubspaceDetector({ learnReadings: LEARN, learnDurationMs: 0 });
    const g = seededGaussian(12, 0, 1);
    const scores = feed(
      detector,
      'one',
      Array.from({ length: 3 * LEARN }, () => ({ temp: 20 + g() })),
    );
    expect(scores.every((s) => s === null)).toBe(true);
  });

  it('learns over at least 6 hours of the device own time, thinning a fast device', () => {
    const detector = new SubspaceDetector(); // defaults: 150 readings and 6 hours
    const values = coupled(14, 6 * 3600 + 10); // one reading a second
    let first = -1;
    let peak = 0;
    values.forEach((v, i) => {
      const score = detector.scoreOne(window('fast', v, i));
      if (first < 0 && score !== null) first = i;
      peak = Math.max(peak, detector.stateBytes('fast'));
    });
    expect(first).toBeGreaterThanOrEqual(6 * 3600);
    // The learning rows were thinned: never more than 2 x 150 of them held at once.
    const row = 2 * 3 * (8 + 1); // value and step per metric, each a float64 and a presence byte
    expect(peak).toBeLessThan(8 * 1024 + 300 * row);
  });

  it('keeps a bounded state: stated for 8 and 64 metrics, not growing with readings', () => {
    const state = (metrics: number) => {
      const detector = new SubspaceDetector({ learnDurationMs: 0 });
      const g = seededGaussian(13, 0, 1);
      const reading = () => {
        const common = g();
        return Object.fromEntries(
          Array.from({ length: metrics }, (_, j) => [`m${j}`, common * (j + 1) + g()]),
        );
      };
      const sizes: number[] = [];
      for (let i = 0; i < 3000; i++) {
        detector.scoreOne(window('dev', reading(), i));
        if (i === 1000 || i === 2999) sizes.push(detector.stateBytes('dev'));
      }
      return sizes;
    };
    const [eight1000, eight3000] = state(8);
    const [wide1000, wide3000] = state(64);
    expect(eight3000).toBe(eight1000);
    expect(wide3000).toBe(wide1000);
    expect(eight3000).toBeLessThan(8 * 1024);
    expect(wide3000).toBeLessThan(160 * 1024);
  });
});
