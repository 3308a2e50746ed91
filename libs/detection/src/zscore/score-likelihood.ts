/** Raw scores averaged over this many readings before they are compared with their own history. */
export const LIKELIHOOD_AVERAGE = 10;
/** EWMA weight of the history's mean and variance: roughly the last 2000 readings. */
export const LIKELIHOOD_ALPHA = 1 / 2000;
/** Variance floor, so a series whose raw score never moved does not divide by zero. */
const MIN_VARIANCE = 1e-6;

/**
 * How unusual a metric's recent raw scores are compared with its own history (the idea of NAB's
 * HTM "anomaly likelihood", in O(1) memory): the mean of the last LIKELIHOOD_AVERAGE raw z values,
 * as a z against an EWMA mean and variance of that mean. A noisy metric whose z often reaches 5
 * then needs far more to alarm than a quiet one, so one threshold fits very different signals.
 */
export class ScoreLikelihood {
  private readonly recent = new Float64Array(LIKELIHOOD_AVERAGE);
  private sum = 0;
  private seen = 0;
  private mean = 0;
  private variance = 0;

  constructor(private readonly warmupReadings: number) {}

  /** z of the recent average against the history before it; null while warming up. */
  observe(raw: number): number | null {
    const slot = this.seen % LIKELIHOOD_AVERAGE;
    const old = this.recent[slot];
    this.recent[slot] = raw;
    // Re-summed once per cycle instead of updated, so float error never accumulates.
    this.sum = slot === 0 ? this.recent.reduce((a, b) => a + b, 0) : this.sum + raw - old;
    const average = this.sum / Math.min(this.seen + 1, LIKELIHOOD_AVERAGE);
    const z =
      this.seen >= this.warmupReadings
        ? Math.max(0, (average - this.mean) / Math.sqrt(Math.max(this.variance, MIN_VARIANCE)))
        : null;
    this.seen = Math.min(this.seen + 1, Number.MAX_SAFE_INTEGER);
    // Running mean at first, then an EWMA: the history firms up fast and then follows slowly.
    const weight = Math.max(LIKELIHOOD_ALPHA, 1 / this.seen);
    const delta = average - this.mean;
    this.mean += weight * delta;
    this.variance = (1 - weight) * (this.variance + weight * delta * delta);
    return z;
  }
}
