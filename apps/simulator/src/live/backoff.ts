/**
 * Reconnect delay: exponential from `baseMs`, capped at `maxMs`, with "full jitter" (a random
 * share of the ceiling) so a fleet that lost the gateway at once does not come back in lockstep.
 */
export function reconnectDelay(
  attempt: number,
  random: () => number,
  baseMs = 500,
  maxMs = 30_000,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 20));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
