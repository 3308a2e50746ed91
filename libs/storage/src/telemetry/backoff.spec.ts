import { backoffDelay } from './backoff';

describe(backoffDelay.name, () => {
  const policy = { baseMs: 100, maxMs: 5000 };

  it('doubles per attempt, between half and the full step', () => {
    expect(backoffDelay(0, policy, () => 0)).toBe(50);
    expect(backoffDelay(0, policy, () => 1)).toBe(100);
    expect(backoffDelay(3, policy, () => 0)).toBe(400);
    expect(backoffDelay(3, policy, () => 1)).toBe(800);
  });

  it('is capped at maxMs, even for huge attempt numbers', () => {
    for (const attempt of [6, 10, 100, 10_000]) {
      expect(backoffDelay(attempt, policy, () => 1)).toBe(5000);
      expect(backoffDelay(attempt, policy, () => 0)).toBe(2500);
    }
  });

  it('spreads retries with jitter', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(4, policy)));
    expect(delays.size).toBeGreaterThan(10);
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(800);
      expect(d).toBeLessThanOrEqual(1600);
    }
  });
});
