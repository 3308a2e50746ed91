import { mqttConnectFailures } from '../broker.metrics';

export type ThrottleScope = 'address' | 'device';

export interface ConnectThrottleOptions {
  /** Delay after the first failure past the free ones; doubles with each further failure. 0 = off. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Failures forgiven before any delay: a NATed fleet shares one address, a device retries a typo. */
  freeFailures?: Record<ThrottleScope, number>;
  /** A key's count is forgotten this long after its last failure. */
  windowMs?: number;
  /** Bound on remembered keys per scope; the least recently failed go first. */
  maxKeys?: number;
}

const DEFAULT_FREE: Record<ThrottleScope, number> = { address: 10, device: 3 };

/**
 * Failed CONNECTs per client address and per device id. Each further failure doubles the delay before
 * the next CONNECT from that address (or for that device) is answered, whatever its outcome, so guessing
 * gets slower and slower while the answer time says nothing about the guess.
 */
export class ConnectThrottle {
  private readonly counters: Record<
    ThrottleScope,
    Map<string, { failures: number; last: number }>
  > = {
    address: new Map(),
    device: new Map(),
  };
  private readonly free: Record<ThrottleScope, number>;
  private readonly windowMs: number;
  private readonly maxKeys: number;

  constructor(private readonly options: ConnectThrottleOptions) {
    this.free = options.freeFailures ?? DEFAULT_FREE;
    this.windowMs = options.windowMs ?? 15 * 60_000;
    this.maxKeys = options.maxKeys ?? 100_000;
  }

  /** How long to hold the answer to a CONNECT, and which scopes caused it. */
  delayFor(
    address: string,
    deviceId: string | undefined,
    now = Date.now(),
  ): { ms: number; scopes: ThrottleScope[] } {
    const byAddress = this.delayOf('address', address, now);
    const byDevice = deviceId === undefined ? 0 : this.delayOf('device', deviceId, now);
    const scopes: ThrottleScope[] = [];
    if (byAddress > 0) scopes.push('address');
    if (byDevice > 0) scopes.push('device');
    return { ms: Math.max(byAddress, byDevice), scopes };
  }

  recordFailure(address: string, deviceId: string | undefined, now = Date.now()): void {
    this.bump('address', address, now);
    if (deviceId !== undefined) this.bump('device', deviceId, now);
  }

  /** A device that got in is no longer being guessed at; its address keeps its count until the window ends. */
  recordSuccess(deviceId: string | undefined): void {
    if (deviceId !== undefined) this.counters.device.delete(deviceId);
  }

  private delayOf(scope: ThrottleScope, key: string, now: number): number {
    if (this.options.baseDelayMs === 0) return 0;
    const entry = this.counters[scope].get(key);
    if (!entry) return 0;
    if (now - entry.last > this.windowMs) {
      this.counters[scope].delete(key);
      return 0;
    }
    const over = entry.failures - this.free[scope];
    if (over <= 0) return 0;
    return Math.min(
      this.options.baseDelayMs * 2 ** Math.min(over - 1, 30),
      this.options.maxDelayMs,
    );
  }

  private bump(scope: ThrottleScope, key: string, now: number): void {
    mqttConnectFailures.inc({ scope });
    const map = this.counters[scope];
    const entry = map.get(key);
    const failures = entry && now - entry.last <= this.windowMs ? entry.failures + 1 : 1;
    map.delete(key); // re-inserted last: Map order is then least recently failed first
    map.set(key, { failures, last: now });
    if (map.size > this.maxKeys) map.delete(map.keys().next().value as string);
  }
}
