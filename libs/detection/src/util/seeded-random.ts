/** Deterministic PRNG for tests (mulberry32): the same seed gives the same series on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Normal deviates N(mean, sd) from a seeded uniform source (Box-Muller). */
export function seededGaussian(seed: number, mean = 0, sd = 1): () => number {
  const uniform = seededRandom(seed);
  return () => {
    const u = 1 - uniform(); // (0, 1]: log(0) never happens
    const v = uniform();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}
