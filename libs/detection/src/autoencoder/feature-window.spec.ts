import { FeatureWindow } from './feature-window';

function rows(window: FeatureWindow): number[] {
  const out = new Float32Array(window.windowSize * window.features.length);
  window.copyNormalized(out, 0, [0, 0], [1, 1]);
  return Array.from(out);
}

describe(FeatureWindow.name, () => {
  it('is ready once it holds windowSize readings, oldest first, sliding by one', () => {
    const window = new FeatureWindow(['a', 'b'], 3, 2);
    window.push({ a: 1, b: 10 });
    window.push({ a: 2, b: 20 });
    expect(window.ready).toBe(false);
    expect(window.push({ a: 3, b: 30 })).toBe('complete');
    expect(window.ready).toBe(true);
    expect(rows(window)).toEqual([1, 10, 2, 20, 3, 30]);
    window.push({ a: 4, b: 40 });
    expect(rows(window)).toEqual([2, 20, 3, 30, 4, 40]);
  });

  it('normalises each feature with its own mean and std', () => {
    const window = new FeatureWindow(['a', 'b'], 1, 0);
    window.push({ a: 5, b: 100 });
    const out = new Float32Array(4).fill(-1);
    window.copyNormalized(out, 2, [3, 50], [2, 25]);
    expect(Array.from(out)).toEqual([-1, -1, 1, 2]);
  });

  it('carries a missing metric forward for at most maxCarryForward readings', () => {
    const window = new FeatureWindow(['a', 'b'], 2, 2);
    window.push({ a: 1, b: 10 });
    expect(window.push({ a: 2 })).toBe('carried');
    expect(window.push({ a: 3 })).toBe('carried');
    expect(rows(window)).toEqual([2, 10, 3, 10]);
    expect(window.ready).toBe(true);
    expect(window.push({ a: 4 })).toBe('missing'); // b is now 3 readings old
    expect(window.ready).toBe(false);
  });

  it('skips every window holding a missing row until that row slides out', () => {
    const window = new FeatureWindow(['a', 'b'], 3, 0);
    for (let i = 0; i < 3; i++) window.push({ a: i, b: i });
    expect(window.push({ a: 9 })).toBe('missing');
    const readiness: boolean[] = [];
    for (let i = 0; i < 3; i++) {
      window.push({ a: i, b: i });
      readiness.push(window.ready);
    }
    expect(readiness).toEqual([false, false, true]);
  });

  it('never scores a metric it has not seen yet', () => {
    const window = new FeatureWindow(['a', 'b'], 1, 5);
    expect(window.push({ a: 1 })).toBe('missing');
    expect(window.ready).toBe(false);
  });

  it('keeps a scaled copy that matches copyNormalized as it slides, from the rows it held', () => {
    const window = new FeatureWindow(['a', 'b'], 3, 1);
    const [mean, std] = [
      [1, 10],
      [2, 4],
    ];
    const normalized = () => {
      const out = new Float32Array(6);
      window.copyNormalized(out, 0, mean, std);
      return Array.from(out);
    };
    const scaled = () => {
      const out = new Float32Array(8).fill(-9);
      window.copyScaled(out, 2);
      expect(Array.from(out.subarray(0, 2))).toEqual([-9, -9]); // nothing before the offset
      return Array.from(out.subarray(2));
    };
    for (let i = 0; i < 3; i++) window.push({ a: i, b: 10 * i });
    expect(window.isScaled).toBe(false);
    window.scaleWith(mean, std);
    expect(scaled()).toEqual(normalized());
    for (let i = 3; i < 8; i++) {
      window.push(i === 5 ? { a: i } : { a: i, b: 10 * i }); // b carried once
      expect(scaled()).toEqual(normalized());
    }
    window.unscale();
    expect(window.isScaled).toBe(false);
  });

  it('fits a model with the same features in the same order and window size', () => {
    const window = new FeatureWindow(['a', 'b'], 4, 1);
    expect(window.fits(['a', 'b'], 4)).toBe(true);
    expect(window.fits(['b', 'a'], 4)).toBe(false);
    expect(window.fits(['a', 'b'], 8)).toBe(false);
  });
});
