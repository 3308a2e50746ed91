export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export const WRITE_BACKOFF: BackoffPolicy = { baseMs: 100, maxMs: 5_000 };

/**
 * Capped exponential backoff with "equal jitter": half the step is fixed, half random, so
 * retries spread out yet never collapse to zero.
 */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy = WRITE_BACKOFF,
  random: () => number = Math.random,
): number {
  const step = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(step / 2 + random() * (step / 2));
}
