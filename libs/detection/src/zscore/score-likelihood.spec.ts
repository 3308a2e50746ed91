import { seededGaussian } from '../util/seeded-random';
import { ScoreLikelihood } from './score-likelihood';
import { StreamingZScoreDetector } from './streaming-zscore.detector';

const T0 = Date.UTC(2026, 0, 1);

describe(ScoreLikelihood.name, () => {
  it('is null while warming up, then judges the recent average against its own history', () => {
    const likelihood = new ScoreLikelihood(3);
    expect([1, 1, 1].map((z) => likelihood.observe(z))).toEqual([null, null, null]);
    expect(likelihood.observe(1)).toBe(0); // the same as ever: nothing unusual
    expect(likelihood.observe(50)!).toBeGreaterThan(100); // far above a flat history
  });

  it('needs more to alarm on a metric whose z is always high than on a quiet one', () => {
    const noisy = new ScoreLikelihood(100);
    const quiet = new ScoreLikelihood(100);
    const noise = seededGaussian(3, 0, 1);
    for (let i = 0; i < 500; i++) {
      noisy.observe(4 + 2 * Math.abs(noise()));
      quiet.observe(0.5 + 0.2 * Math.abs(noise()));
    }
    expect(noisy.observe(8)!).toBeLessThan(quiet.observe(8)!);
  });
});

describe(`${StreamingZScoreDetector.name} with the likelihood stage`, () => {
  const detector = () =>
    new StreamingZScoreDetector({
      learnReadings: 30,
      zThreshold: 6,
      likelihood: { warmupReadings: 300, threshold: 4 },
    });
  const feed = (target: StreamingZScoreDetector, values: number[], from = 0) =>
    target.scoreBatch(
      values.map((temp, i) => ({
        deviceId: 'd',
        reading: { ts: T0 + (from + i) * 1000, values: { temp } },
      })),
    );

  it('alarms on a level shift inside a noisy series once warm, and stays quiet before it', async () => {
    const target = detector();
    const noise = seededGaussian(5, 0, 0.5);
    const normal = Array.from({ length: 2000 }, () => 20 + noise());
    const quiet = await feed(target, normal);
    expect(Math.max(...quiet.slice(400).map((s) => s!.score))).toBeLessThan(1);
    const shifted = await feed(
      target,
      Array.from({ length: 20 }, () => 22.5 + noise()),
      2000,
    );
    expect(Math.max(...shifted.map((s) => s!.score))).toBeGreaterThan(1);
  });

  it('still scores with the plain z before it is warm (a new device alarms as before)', async () => {
    const target = detector();
    const noise = seededGaussian(6, 0, 0.5);
    await feed(
      target,
      Array.from({ length: 60 }, () => 20 + noise()),
    );
    const [spike] = await feed(target, [30], 60);
    expect(spike!.score).toBeGreaterThan(1);
  });
});
