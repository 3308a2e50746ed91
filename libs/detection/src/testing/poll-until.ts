/** Polls `probe` until it returns a value that is not undefined, or fails after `timeoutMs`. */
export async function pollUntil<T>(
  probe: () => T | undefined,
  timeoutMs = 2000,
  intervalMs = 2,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
