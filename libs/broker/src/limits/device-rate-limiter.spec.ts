import { DeviceRateLimiter } from './device-rate-limiter';

function limiter(messagesPerSec: number, bytesPerSec: number) {
  let now = 0;
  const rates = new DeviceRateLimiter({ messagesPerSec, bytesPerSec }, () => now);
  return { rates, advance: (ms: number) => (now += ms) };
}

describe(DeviceRateLimiter.name, () => {
  it('lets one second of burst through, then spaces messages at the rate', () => {
    const { rates, advance } = limiter(10, 0);
    const delays = Array.from({ length: 12 }, () => rates.delayFor('d', 10));
    expect(delays.slice(0, 10)).toEqual(Array(10).fill(0));
    expect(delays[10]).toBeCloseTo(100);
    expect(delays[11]).toBeCloseTo(200);
    advance(200);
    expect(rates.delayFor('d', 10)).toBeCloseTo(100);
  });

  it('charges bytes too, and holds a message larger than the burst until it is paid for', () => {
    const { rates, advance } = limiter(0, 1000);
    expect(rates.delayFor('d', 600)).toBe(0);
    expect(rates.delayFor('d', 600)).toBeCloseTo(200);
    advance(1200);
    expect(rates.delayFor('d', 3000)).toBeCloseTo(2000);
  });

  it('keeps devices apart and forgets a device', () => {
    const { rates } = limiter(1, 0);
    expect(rates.delayFor('a', 1)).toBe(0);
    expect(rates.delayFor('a', 1)).toBeCloseTo(1000);
    expect(rates.delayFor('b', 1)).toBe(0);
    expect(rates.trackedDevices).toBe(2);
    rates.forget('a');
    expect(rates.trackedDevices).toBe(1);
    expect(rates.delayFor('a', 1)).toBe(0);
  });

  it('tryTake charges only what fits now, and refuses the rest without running into debt', () => {
    const { rates, advance } = limiter(2, 0);
    expect([1, 2, 3].map(() => rates.tryTake('d', 10))).toEqual([true, true, false]);
    advance(500);
    expect(rates.tryTake('d', 10)).toBe(true);
    expect(rates.tryTake('d', 10)).toBe(false);
    expect(rates.delayFor('d', 10)).toBeCloseTo(500);
  });

  it('never holds anything when both rates are 0 (unlimited)', () => {
    const { rates } = limiter(0, 0);
    expect(rates.enabled).toBe(false);
    for (let i = 0; i < 1000; i++) expect(rates.delayFor('d', 1e6)).toBe(0);
    expect(rates.trackedDevices).toBe(0);
  });
});
