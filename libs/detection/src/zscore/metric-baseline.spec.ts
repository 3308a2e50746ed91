import { seededGaussian } from '../util/seeded-random';
import { MetricBaseline, resolutionOf, robustSeed } from './metric-baseline';

describe(MetricBaseline.name, () => {
  it('seeds from the median and a winsorised deviation, so a fault while learning does not inflate sigma', () => {
    const noise = seededGaussian(21, 0, 1);
    const values = Array.from({ length: 30 }, () => 50 + noise());
    const clean = robustSeed(values);
    const withFaults = robustSeed([...values.slice(0, 27), 1e6, -1e6, 1e6]);
    expect(Math.abs(clean.level - 50)).toBeLessThan(0.5);
    expect(clean.sigma).toBeGreaterThan(0.6);
    expect(clean.sigma).toBeLessThan(1.4);
    expect(Math.abs(withFaults.level - clean.level)).toBeLessThan(0.3);
    expect(withFaults.sigma).toBeLessThan(1.5 * clean.sigma);
  });

  it('keeps a mostly flat, quantised learning period from collapsing sigma to 0', () => {
    expect(robustSeed([40, 40, 40, 40, 40, 41, 40, 40, 39, 40]).sigma).toBeGreaterThan(0);
    expect(robustSeed([7, 7, 7, 7])).toEqual({ level: 7, sigma: 0 });
  });

  it('infers the resolution a metric is sent with', () => {
    expect(resolutionOf([40, 41, 39])).toBe(1);
    expect(resolutionOf([21.5, 21.6])).toBe(0.1);
    expect(resolutionOf([1.25, 3])).toBe(0.01);
    expect(resolutionOf([0.1 + 0.2])).toBe(0); // float noise, not a resolution
    expect(resolutionOf([1e-7])).toBe(0);
  });

  it('learns for exactly learnReadings values, even past the seed size', () => {
    const baseline = new MetricBaseline(100);
    const noise = seededGaussian(22, 10, 1);
    const results = Array.from({ length: 101 }, () => baseline.observe(noise()));
    expect(results.slice(0, 100).every((z) => z === null)).toBe(true);
    expect(results[100]).not.toBeNull();
    expect(baseline.snapshot()).toMatchObject({ count: 101, learning: false });
  });
});
