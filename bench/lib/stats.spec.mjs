import {
  bucketQuantileMs,
  histogramDelta,
  median,
  medianOfRuns,
  quantile,
  ratio,
  round,
} from './stats.mjs';

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

  it('reads a histogram between two scrapes and names the bucket holding a quantile', () => {
    const name = 'iag_x_seconds';
    const before = { [`${name}_bucket{le="0.001"}`]: 5, [`${name}_bucket{le="+Inf"}`]: 5 };
    const after = {
      [`${name}_bucket{le="0.001"}`]: 95,
      [`${name}_bucket{le="0.01"}`]: 104,
      [`${name}_bucket{le="+Inf"}`]: 105,
      [`iag_other_bucket{le="0.001"}`]: 1000,
    };
    const buckets = histogramDelta(before, after, name);
    expect(buckets.get(0.001)).toBe(90);
    expect(buckets.get(Infinity)).toBe(100);
    expect(bucketQuantileMs(buckets, 0.5)).toBe(1);
    expect(bucketQuantileMs(buckets, 0.99)).toBe(10);
    expect(bucketQuantileMs(histogramDelta(after, after, name), 0.99)).toBeUndefined();
  });

  it('keeps only the samples with the given labels', () => {
    const after = {
      'h_bucket{le="0.02",route="/a"}': 3,
      'h_bucket{le="+Inf",route="/a"}': 4,
      'h_bucket{le="0.02",route="/b"}': 50,
    };
    expect(histogramDelta({}, after, 'h', 'route="/a"').get(0.02)).toBe(3);
  });
});
