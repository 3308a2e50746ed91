export interface PollOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Calls `fn` until `predicate` accepts its value (default: truthy) and returns that value.
 * A throwing `fn` counts as "not yet". On timeout, throws with the last value or error seen.
 */
export async function pollUntil<T>(
  fn: () => Promise<T> | T,
  predicate: (value: T) => boolean = (value) => Boolean(value),
  { timeoutMs = 10_000, intervalMs = 50 }: PollOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: { value?: T; error?: unknown } = {};
  for (;;) {
    try {
      const value = await fn();
      if (predicate(value)) return value;
      last = { value };
    } catch (error) {
      last = { error };
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const seen =
    'error' in last && last.error !== undefined
      ? `last error: ${(last.error as Error)?.message ?? String(last.error)}`
      : `last value: ${describe(last.value)}`;
  throw new Error(`pollUntil: condition not met within ${timeoutMs} ms; ${seen}`);
}

function describe(value: unknown): string {
  try {
    const text = JSON.stringify(value);
    return text === undefined
      ? String(value)
      : text.length > 2000
        ? `${text.slice(0, 2000)}…`
        : text;
  } catch {
    return String(value);
  }
}
