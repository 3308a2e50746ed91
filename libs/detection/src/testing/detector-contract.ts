import { describe, expect, it } from '@jest/globals';
import { Reading } from '@iag/contracts';
import { AnomalyDetector, DeviceWindow, WindowScore } from '../detector.port';
import { seededGaussian } from '../util/seeded-random';

export interface DetectorContractOptions {
  /** A fresh detector, scoring every device after `learnReadings` readings. */
  create: () => AnomalyDetector;
  learnReadings: number;
}

const T0 = Date.UTC(2026, 0, 1);

function series(seed: number, count: number, from = 0): Reading[] {
  const noise = seededGaussian(seed, 0, 1);
  return Array.from({ length: count }, (_, i) => ({
    ts: T0 + (from + i) * 1000,
    values: { temp: 20 + 0.5 * noise(), hum: 40 + 2 * noise() },
  }));
}

function windows(deviceId: string, readings: Reading[]): DeviceWindow[] {
  return readings.map((reading) => ({ deviceId, reading }));
}

function expectWellFormed(score: WindowScore, reading: Reading): void {
  expect(Number.isFinite(score.score)).toBe(true);
  expect(score.score).toBeGreaterThanOrEqual(0);
  const shares = score.contributions.map((c) => c.contribution);
  expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
  expect([...shares].sort((a, b) => b - a)).toEqual(shares);
  for (const { name } of score.contributions) expect(Object.keys(reading.values)).toContain(name);
}

/** The shared suite every AnomalyDetector (fakes included) must pass (aedes-persistence abstract.js). */
export function describeDetectorContract(name: string, options: DetectorContractOptions): void {
  const { create, learnReadings } = options;

  describe(`${name} (AnomalyDetector contract)`, () => {
    it('names itself and its threshold', () => {
      const detector = create();
      expect(detector.id).toMatch(/^\S+$/);
      expect(detector.version === null || typeof detector.version === 'string').toBe(true);
      expect(detector.threshold).toBeGreaterThan(0);
      expect(Number.isFinite(detector.threshold)).toBe(true);
    });

    it('answers an empty batch with an empty result', async () => {
      await expect(create().scoreBatch([])).resolves.toEqual([]);
    });

    it('returns null while learning, then one well-formed score per window', async () => {
      const readings = series(1, learnReadings + 20);
      const scores = await create().scoreBatch(windows('dev-a', readings));
      expect(scores).toHaveLength(readings.length);
      expect(scores.slice(0, learnReadings).every((s) => s === null)).toBe(true);
      scores.slice(learnReadings).forEach((score, i) => {
        expect(score).not.toBeNull();
        expectWellFormed(score!, readings[learnReadings + i]);
      });
    });

    it('scores one batch exactly as the same windows one at a time', async () => {
      const readings = series(2, learnReadings + 10);
      const batched = await create().scoreBatch(windows('dev-a', readings));
      const single = create();
      const oneByOne: (WindowScore | null)[] = [];
      for (const window of windows('dev-a', readings))
        oneByOne.push(...(await single.scoreBatch([window])));
      // What a caller sees (contributions are lazy getters, so compare them, not the fields).
      const seen = (score: WindowScore | null) =>
        score && { score: score.score, contributions: score.contributions, source: score.source };
      expect(oneByOne.map(seen)).toEqual(batched.map(seen));
      expect(batched.filter((score) => score !== null).length).toBeGreaterThan(0);
    });

    it('keeps devices apart', async () => {
      const detector = create();
      await detector.scoreBatch(windows('dev-a', series(3, learnReadings)));
      const [a, b] = await detector.scoreBatch([
        ...windows('dev-a', series(3, 1, learnReadings)),
        ...windows('dev-b', series(4, 1)),
      ]);
      expect(a).not.toBeNull();
      expect(b).toBeNull();
    });

    it('learns again after forget(), and ignores unknown devices', async () => {
      const detector = create();
      await detector.scoreBatch(windows('dev-a', series(5, learnReadings)));
      detector.forget('dev-a');
      expect(() => detector.forget('never-seen')).not.toThrow();
      const [next] = await detector.scoreBatch(windows('dev-a', series(5, 1, learnReadings)));
      expect(next).toBeNull();
    });
  });
}
