/** Added before taking a log, so a statistic of exactly 0 stays finite. */
const LOG_EPSILON = 1e-12;
/** Floor of the log-variance: a statistic that never moved must not make every wobble an alarm. */
const MIN_LOG_VARIANCE = 1e-6;

/** What a limit has learned; serialisable, so a trained model can carry its fleet's limits. */
export interface LogLimitState {
  count: number;
  mean: number;
  variance: number;
}

/**
 * The alarm limit of one monitoring statistic (T², SPE, max |z|², or their EWMA forms), learned
 * from the device's own normal values: the mean and variance of log(statistic), so the limit
 * exp(mean + sigmas × sd) is a multiplicative margin that fits heavy right tails far better than a
 * plain mean + k·sd. Learned from held-out values first, then updated (running mean at first, an
 * EWMA with weight `minWeight` later) from readings the detector judged normal, so the limit
 * follows a device that turns quieter or noisier without learning what it alarmed on.
 */
export class LogLimit {
  private count = 0;
  private mean = 0;
  private variance = 0;
  /** limit() of the last sigmas asked for, until the next observe(): judged every reading. */
  private cached = NaN;
  private cachedSigmas = NaN;

  constructor(state?: LogLimitState) {
    if (state) ({ count: this.count, mean: this.mean, variance: this.variance } = state);
  }

  observe(value: number, minWeight: number): void {
    const x = Math.log(value + LOG_EPSILON);
    this.count = Math.min(this.count + 1, Number.MAX_SAFE_INTEGER);
    const weight = Math.max(1 / this.count, minWeight);
    const delta = x - this.mean;
    this.mean += weight * delta;
    this.variance = (1 - weight) * (this.variance + weight * delta * delta);
    this.cachedSigmas = NaN;
  }

  /** The statistic's scale changed by `factor` (another model version): the limit follows. */
  rescale(factor: number): void {
    this.mean += Math.log(factor);
    this.cachedSigmas = NaN;
  }

  /** The value that scores 1.0. */
  limit(sigmas: number): number {
    if (sigmas !== this.cachedSigmas) {
      this.cached = Math.exp(
        this.mean + sigmas * Math.sqrt(Math.max(this.variance, MIN_LOG_VARIANCE)),
      );
      this.cachedSigmas = sigmas;
    }
    return this.cached;
  }

  get samples(): number {
    return this.count;
  }

  state(): LogLimitState {
    return { count: this.count, mean: this.mean, variance: this.variance };
  }
}
