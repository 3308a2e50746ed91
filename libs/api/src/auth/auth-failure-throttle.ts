import { LRUCache } from 'lru-cache';

export interface AuthFailureThrottleOptions {
  /** Failures a group may have in one window; 0 = no throttle. */
  limit: number;
  windowMs?: number;
  /** Bound on remembered groups (memory); the least recently failed go first. */
  maxGroups?: number;
  /** The clock, for tests. */
  now?: () => number;
}

/**
 * Failed authentications per client address group (see addressGroup). A group's window opens at
 * its first failure and lasts `windowMs`; once it holds `limit` failures, its requests are
 * refused until the window ends, so a guesser gets `limit` tries a minute. Nothing here hashes
 * anything: the guard asks before it verifies a key. lru-cache keeps the windows (its TTL is the
 * window, kept on update) and bounds their number.
 */
export class AuthFailureThrottle {
  private readonly failures: LRUCache<string, number>;
  private readonly limit: number;

  constructor(options: AuthFailureThrottleOptions) {
    this.limit = options.limit;
    const now = options.now;
    this.failures = new LRUCache<string, number>({
      max: options.maxGroups ?? 100_000,
      ttl: options.windowMs ?? 60_000,
      ...(now ? { perf: { now }, ttlResolution: 0 } : {}),
    });
  }

  /** Whole seconds until `group` may authenticate again (for Retry-After); 0 = it may now. */
  retryAfterSeconds(group: string): number {
    if (this.limit === 0 || (this.failures.get(group) ?? 0) < this.limit) return 0;
    return Math.max(1, Math.ceil(this.failures.getRemainingTTL(group) / 1000));
  }

  recordFailure(group: string): void {
    if (this.limit === 0) return;
    const count = this.failures.get(group);
    if (count === undefined) this.failures.set(group, 1);
    else this.failures.set(group, count + 1, { noUpdateTTL: true });
  }
}
