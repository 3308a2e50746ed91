import {
  LabelledSeries,
  normalizedScore,
  perfectDetections,
  probationaryLength,
  scaledSigmoid,
  scoreDetections,
  STANDARD_PROFILE,
  sweepScores,
} from './nab-scorer';
import { everyRowOver, optimiseThreshold, scoreCorpus } from './threshold-sweep';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
/** NAB's scaledSigmoid written out: 2 * sigmoid(-5x) - 1. */
const nabScaled = (x: number) => 2 * sigmoid(-5 * x) - 1;
const maxTP = nabScaled(-1);

// 20 rows: probation floor(0.15 * 20) = 3 rows; one window over rows 10..13 (width 4).
const series: LabelledSeries = { name: 's', length: 20, windows: [[10, 13]] };

describe('NAB scorer', () => {
  it('computes the scaled sigmoid as NAB does, and -1 beyond 3 window widths', () => {
    expect(scaledSigmoid(-1)).toBeCloseTo(nabScaled(-1), 15);
    expect(scaledSigmoid(0.5)).toBeCloseTo(nabScaled(0.5), 15);
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(3.01)).toBe(-1);
  });

  it('has a probationary period of 15% of the rows, at most 750', () => {
    expect(probationaryLength(20)).toBe(3);
    expect(probationaryLength(4032)).toBe(604);
    expect(probationaryLength(22695)).toBe(750);
  });

  it('weighs each row as NAB calcSweepScore does (hand-computed)', () => {
    const { weight, window } = sweepScores(series);
    expect(Number.isNaN(weight[2])).toBe(true); // probation
    expect(weight[5]).toBeCloseTo(-0.11, 15); // before any window: -1 * A_FP
    expect(weight[10]).toBeCloseTo(1, 15); // the window's left edge: A_TP
    expect(weight[11]).toBeCloseTo(nabScaled(-3 / 4) / maxTP, 15);
    expect(weight[13]).toBeCloseTo(nabScaled(-1 / 4) / maxTP, 15);
    expect(weight[14]).toBeCloseTo(0.11 * nabScaled(1 / 3), 15); // just past: small penalty
    expect(weight[19]).toBeCloseTo(0.11 * nabScaled(6 / 3), 15);
    expect(Array.from(window.slice(9, 15))).toEqual([-1, 0, 0, 0, 0, -1]);
  });

  it('counts a missed window as -A_FN and only the earliest detection in a window', () => {
    expect(scoreDetections(series, [])).toMatchObject({ score: -1, fn: 1, tp: 0, fp: 0 });
    expect(scoreDetections(series, [10]).score).toBeCloseTo(1, 15);
    const late = scoreDetections(series, [13, 11, 12]);
    expect(late.score).toBeCloseTo(nabScaled(-3 / 4) / maxTP, 15);
    expect(late).toMatchObject({ tp: 3, fn: 0 });
  });

  it('charges false positives outside windows and ignores the probationary period', () => {
    const result = scoreDetections(series, [2, 5, 10, 19]);
    expect(result.score).toBeCloseTo(-0.11 + 1 + 0.11 * nabScaled(2), 12);
    expect(result).toMatchObject({ tp: 1, fp: 2, fn: 0 });
  });

  it('normalises between the null detector (0) and a perfect one (100)', () => {
    expect(perfectDetections(series)).toEqual([10]);
    const nullScore = scoreDetections(series, []).score;
    const perfect = scoreDetections(series, perfectDetections(series)).score;
    expect(normalizedScore(nullScore, nullScore, perfect)).toBe(0);
    expect(normalizedScore(perfect, nullScore, perfect)).toBe(100);
    expect(normalizedScore(0, -1, 1)).toBe(50);
  });

  it('picks the threshold that maximises the corpus score', () => {
    const scores = new Float64Array(20);
    scores[5] = 0.6; // a false alarm
    scores[11] = 0.9; // inside the window
    const corpus = [{ series, scores }];
    const best = optimiseThreshold(corpus, everyRowOver, STANDARD_PROFILE);
    expect(best.threshold).toBeGreaterThan(0.6);
    expect(best.threshold).toBeLessThanOrEqual(0.9);
    expect(best.raw).toBeCloseTo(nabScaled(-3 / 4) / maxTP, 12);
    expect(scoreCorpus(corpus, 0.5, everyRowOver).raw).toBeCloseTo(best.raw - 0.11, 12);
  });
});
