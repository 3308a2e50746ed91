import { ConnectThrottle } from './connect-throttle';

describe(ConnectThrottle.name, () => {
  const options = { baseDelayMs: 100, maxDelayMs: 1000, freeFailures: { address: 3, device: 1 } };
  const fail = (t: ConnectThrottle, times: number, device?: string, address = '10.0.0.1') => {
    for (let i = 0; i < times; i++) t.recordFailure(address, device, 0);
  };

  it('forgives the free failures, then doubles the delay per failure up to the max', () => {
    const throttle = new ConnectThrottle(options);
    const delays: number[] = [];
    for (let i = 0; i < 9; i++) {
      delays.push(throttle.delayFor('10.0.0.1', undefined, 0).ms);
      throttle.recordFailure('10.0.0.1', undefined, 0);
    }
    expect(delays).toEqual([0, 0, 0, 0, 100, 200, 400, 800, 1000]);
  });

  it('counts per device id across addresses, and names the scope that delays', () => {
    const throttle = new ConnectThrottle(options);
    throttle.recordFailure('10.0.0.1', 'pump-1', 0);
    throttle.recordFailure('10.0.0.2', 'pump-1', 0);
    throttle.recordFailure('10.0.0.3', 'pump-1', 0);
    expect(throttle.delayFor('10.0.0.4', 'pump-1', 0)).toEqual({ ms: 200, scopes: ['device'] });
    expect(throttle.delayFor('10.0.0.4', 'pump-2', 0)).toEqual({ ms: 0, scopes: [] });
  });

  it('clears a device on success but keeps its address counted', () => {
    const throttle = new ConnectThrottle(options);
    fail(throttle, 5, 'pump-1');
    throttle.recordSuccess('pump-1');
    expect(throttle.delayFor('10.0.0.9', 'pump-1', 0).ms).toBe(0);
    expect(throttle.delayFor('10.0.0.1', undefined, 0).ms).toBe(200);
  });

  it('forgets a key once the window has passed without failures', () => {
    const throttle = new ConnectThrottle({ ...options, windowMs: 1000 });
    fail(throttle, 6);
    expect(throttle.delayFor('10.0.0.1', undefined, 500).ms).toBeGreaterThan(0);
    expect(throttle.delayFor('10.0.0.1', undefined, 1001).ms).toBe(0);
  });

  it('is off with a zero base delay', () => {
    const throttle = new ConnectThrottle({ ...options, baseDelayMs: 0 });
    fail(throttle, 50, 'pump-1');
    expect(throttle.delayFor('10.0.0.1', 'pump-1', 0).ms).toBe(0);
  });

  it('remembers a bounded number of keys, dropping the least recently failed', () => {
    const throttle = new ConnectThrottle({ ...options, maxKeys: 2 });
    for (const address of ['a', 'b', 'c']) fail(throttle, 5, undefined, address);
    expect(throttle.delayFor('a', undefined, 0).ms).toBe(0);
    expect(throttle.delayFor('c', undefined, 0).ms).toBe(200);
  });
});
