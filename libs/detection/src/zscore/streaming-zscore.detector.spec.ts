import { Reading } from '@iag/contracts';
import { DetectionException } from '../detection.exception';
import { detectorMetricsSkipped } from '../detection.metrics';
import { DeviceWindow, WindowScore } from '../detector.port';
import { describeDetectorContract } from '../testing/detector-contract';
import { seededGaussian } from '../util/seeded-random';
import { MAX_METRICS_PER_DEVICE, StreamingZScoreDetector } from './streaming-zscore.detector';

const T0 = Date.UTC(2026, 0, 1);
const LEARN = 30;
const Z = 6;

function detector(): StreamingZScoreDetector {
  return new StreamingZScoreDetector({ learnReadings: LEARN, zThreshold: Z });
}

/** Scores readings of one device one batch at a time, as the service would. */
async function feed(
  target: StreamingZScoreDetector,
  values: Record<string, number>[],
  deviceId = 'dev-1',
): Promise<(WindowScore | null)[]> {
  const windows: DeviceWindow[] = values.map((v, i) => ({
    deviceId,
    reading: { ts: T0 + i * 1000, values: v } satisfies Reading,
  }));
  return target.scoreBatch(windows);
}

function steady(seed: number, count: number, metrics = ['temp']): Record<string, number>[] {
  const noise = seededGaussian(seed, 0, 0.5);
  return Array.from({ length: count }, () =>
    Object.fromEntries(metrics.map((name) => [name, 20 + noise()])),
  );
}

describeDetectorContract(StreamingZScoreDetector.name, { create: detector, learnReadings: LEARN });

describe(StreamingZScoreDetector.name, () => {
  it('reports z units and refuses settings it cannot work with', () => {
    expect(detector()).toMatchObject({ id: 'zscore', version: null, threshold: Z });
    expect(() => new StreamingZScoreDetector({ learnReadings: 1, zThreshold: 6 })).toThrow(
      DetectionException,
    );
    expect(() => new StreamingZScoreDetector({ learnReadings: 30, zThreshold: 0 })).toThrow(
      DetectionException,
    );
  });

  it('only learns during the learning period', async () => {
    const scores = await feed(detector(), steady(1, LEARN + 1));
    expect(scores.slice(0, LEARN)).toEqual(Array(LEARN).fill(null));
    expect(scores[LEARN]).not.toBeNull();
  });

  it('keeps a steady noisy series under the threshold (5000 readings of N(20, 0.5))', async () => {
    const scores = await feed(detector(), steady(42, 5000));
    const max = Math.max(...scores.map((s) => s?.score ?? 0));
    expect(max).toBeLessThan(1);
    expect(max).toBeGreaterThan(0.3); // it is really scoring, not returning zeros
  });

  it('scores a +10 sigma spike on one metric over 1.0, with that metric first', async () => {
    const target = detector();
    await feed(target, steady(7, 200, ['temp', 'hum', 'co2']));
    const [spike] = await feed(target, [{ temp: 20, hum: 20 + 10 * 0.5, co2: 20 }]);
    expect(spike!.score).toBeGreaterThan(1);
    expect(spike!.contributions[0].name).toBe('hum');
    expect(spike!.contributions[0].contribution).toBeGreaterThan(0.9);
    const total = spike!.contributions.reduce((sum, c) => sum + c.contribution, 0);
    expect(total).toBeCloseTo(1, 9);
  });

  it('stays finite on a flat signal that then changes a little, and flags a large change', async () => {
    const target = detector();
    const flat = await feed(
      target,
      Array.from({ length: 100 }, () => ({ temp: 21.5 })),
    );
    expect(flat.slice(LEARN).every((s) => s !== null && s.score === 0)).toBe(true);
    const [small, large] = await feed(target, [{ temp: 21.6 }, { temp: 35 }]);
    for (const score of [small!.score, large!.score]) expect(Number.isFinite(score)).toBe(true);
    expect(small!.score).toBeLessThan(1); // one quantum of a 0.1-resolution sensor
    expect(large!.score).toBeGreaterThan(1);
    const [zero] = await feed(target, [{ temp: 21.5 }], 'dev-zero');
    expect(zero).toBeNull();
  });

  it('does not explode on a flat signal at zero or at a large level', async () => {
    const target = detector();
    await feed(
      target,
      Array.from({ length: LEARN }, () => ({ a: 0, b: 101325.123456789 })),
    );
    const [next] = await feed(target, [{ a: 1e-12, b: 101325.123456799 }]);
    expect(Number.isFinite(next!.score)).toBe(true);
    expect(next!.score).toBeLessThan(1);
    const [jump] = await feed(target, [{ a: 1e6, b: 101325.123456789 }]);
    expect(Number.isFinite(jump!.score)).toBe(true);
    expect(jump!.score).toBeGreaterThan(1);
  });

  it('is not dragged by a sustained spike (winsorised updates)', async () => {
    const target = detector();
    await feed(target, steady(11, 500));
    const before = target.baseline('dev-1', 'temp')!;
    const spikes = await feed(
      target,
      Array.from({ length: 20 }, () => ({ temp: 25 })),
    ); // +10 sigma
    expect(spikes.every((s) => s!.score > 1)).toBe(true);
    const after = target.baseline('dev-1', 'temp')!;
    // Unclipped EWMAs would have moved the level ~3 sigma and tripled sigma here.
    expect(Math.abs(after.level - before.level)).toBeLessThan(0.5 * before.sigma);
    expect(after.sigma).toBeLessThan(1.3 * before.sigma);
    const recovered = await feed(target, steady(12, 50));
    expect(Math.max(...recovered.map((s) => s!.score))).toBeLessThan(1);
  });

  it('learns a metric first seen later on its own, and scores readings missing a metric', async () => {
    const target = detector();
    await feed(target, steady(13, 100, ['temp']));
    const [both] = await feed(target, [{ temp: 20, hum: 40 }]);
    expect(both!.contributions.map((c) => c.name)).toEqual(['temp']); // hum is still learning
    await feed(target, steady(14, LEARN, ['hum']));
    const [onlyHum] = await feed(target, [{ hum: 20 }]);
    expect(onlyHum!.contributions.map((c) => c.name)).toEqual(['hum']);
    expect(target.baseline('dev-1', 'hum')!.learning).toBe(false);
  });

  it(`tracks at most ${MAX_METRICS_PER_DEVICE} metrics per device`, async () => {
    const target = detector();
    const names = Array.from({ length: MAX_METRICS_PER_DEVICE + 6 }, (_, i) => `m${i}`);
    const skippedBefore = (await detectorMetricsSkipped.get()).values[0]?.value ?? 0;
    await feed(target, steady(15, LEARN + 1, names));
    const skipped = (await detectorMetricsSkipped.get()).values[0].value - skippedBefore;
    expect(skipped).toBe(6 * (LEARN + 1));
    expect(target.baseline('dev-1', `m${MAX_METRICS_PER_DEVICE - 1}`)).not.toBeNull();
    expect(target.baseline('dev-1', `m${MAX_METRICS_PER_DEVICE}`)).toBeNull();
  });

  it('only learns from readings another detector covered, and scores the rest as scoreBatch would', async () => {
    const series = steady(18, 400, ['temp', 'hum']);
    const windows: DeviceWindow[] = series.map((values, i) => ({
      deviceId: 'dev-1',
      reading: { ts: T0 + i * 1000, values },
    }));
    const reference = await detector().scoreBatch(windows);
    const target = detector();
    const uncovered = target.scoreUncovered(windows, new Array<boolean>(400).fill(false));
    expect(uncovered.map((s) => s?.score ?? null)).toEqual(reference.map((s) => s?.score ?? null));

    // Covered: no result, yet the baselines take the readings in and follow a level shift.
    const shifted = steady(19, 300, ['temp', 'hum']).map(({ temp, hum }) => ({
      temp: temp + 5,
      hum,
    }));
    const coveredWindows: DeviceWindow[] = shifted.map((values, i) => ({
      deviceId: 'dev-1',
      reading: { ts: T0 + (400 + i) * 1000, values },
    }));
    const covered = target.scoreUncovered(coveredWindows, new Array<boolean>(300).fill(true));
    expect(covered.every((s) => s === null)).toBe(true);
    const level = target.baseline('dev-1', 'temp')!;
    expect(level.count).toBe(700);
    expect(level.level).toBeGreaterThan(24); // followed the shift from ~20 to ~25
    const [next] = target.scoreUncovered(
      [{ deviceId: 'dev-1', reading: { ts: T0 + 700_000, values: { temp: 25, hum: 20 } } }],
      [false],
    );
    expect(next!.score).toBeLessThan(1); // today's normal, not the old level's +10 sigma
  });

  it('forgets a device completely', async () => {
    const target = detector();
    await feed(target, steady(16, LEARN + 5));
    expect(target.baseline('dev-1', 'temp')).not.toBeNull();
    target.forget('dev-1');
    expect(target.baseline('dev-1', 'temp')).toBeNull();
    const [next] = await feed(target, steady(17, 1));
    expect(next).toBeNull();
  });
});
