import { median, medianOfRuns, quantile, ratio, round } from './stats.mjs';

describe('stats', () => {
  it('interpolates quantiles between closest ranks', () => {
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.99)).toBeCloseTo(4.96);
    expect(quantile([7], 0.99)).toBe(7);
    expect(quantile([], 0.5)).toBeNaN();
  });

  it('takes the median of an odd count as its middle value, ignoring non-finite values', () => {
    expect(median([30, 10, 20])).toBe(20);
    expect(median([30, NaN, 10, 20])).toBe(20);
  });

  it('takes the median of every numeric field across runs, nested ones too', () => {
    const runs = [
      { rate: 10, gw: { cpu: 3 }, name: 'a' },
      { rate: 30, gw: { cpu: 1 } },
      { rate: 20, gw: { cpu: 2 }, extra: 5 },
    ];
    expect(medianOfRuns(runs)).toEqual({ rate: 20, gw: { cpu: 2 }, extra: 5 });
  });

  it('gives no ratio against zero or a missing value', () => {
    expect(ratio(3, 4)).toBe(0.75);
    expect(ratio(3, 0)).toBeNull();
    expect(ratio(3, null)).toBeNull();
  });

  it('rounds for display', () => {
    expect(round(12345.6)).toBe(12346);
    expect(round(0.012345)).toBe(0.0123);
    expect(round(null)).toBeNull();
  });
});
