import { reconstructionScore } from './reconstruction';

describe('reconstructionScore', () => {
  it('scores mean squared error / threshold and shares the error by metric (hand-computed)', () => {
    // window 2 x features [temp, hum]; errors: temp 1 and 1, hum 0 and 2 -> per feature 2 and 4.
    const score = reconstructionScore([2, 4], 0, 2, ['temp', 'hum'], 0.5);
    expect(score.score).toBeCloseTo(6 / 4 / 0.5, 12); // MSE 1.5, threshold 0.5 -> 3
    expect(score.contributions).toEqual([
      { name: 'hum', contribution: 4 / 6 },
      { name: 'temp', contribution: 2 / 6 },
    ]);
  });

  it('reads the window at its offset in a packed batch', () => {
    const score = reconstructionScore([9, 9, 0, 4], 2, 1, ['a', 'b'], 1);
    expect(score.score).toBeCloseTo(2, 12); // (0 + 4) / 2
    expect(score.contributions[0]).toEqual({ name: 'b', contribution: 1 });
  });

  it('shares equally when the reconstruction is exact', () => {
    const score = reconstructionScore([0, 0], 0, 1, ['a', 'b'], 1);
    expect(score.score).toBe(0);
    expect(score.contributions.map((c) => c.contribution)).toEqual([0.5, 0.5]);
  });
});
