import { LogLimit, LogLimitState } from './log-limit';

export interface AdaptiveLimitOptions {
  /** A statistic scores 1.0 at exp(mean + sigmas × sd) of its log over normal readings. */
  sigmas: number;
  /** EWMA weight with which the limits keep learning from readings judged normal. */
  weight: number;
  /** Readings under the threshold after the last one over it before anything is learned again. */
  quietBefore: number;
}

export interface LimitVerdict {
  /** max over the statistics of value / limit (or `extra`, when larger): 1.0 is the threshold. */
  score: number;
  /** The statistic that gave it; -1 when `extra` did. */
  statistic: number;
  /** The reading counted as normal and was learned (the caller may adapt its own model too). */
  learned: boolean;
}

/**
 * A device's own alarm limits for a few monitoring statistics (what the detection README calls
 * "calibrated per device"): seeded from readings the model has not been fitted to, then kept
 * current from readings judged normal once the device has been quiet for `quietBefore` readings.
 * Nothing in or right after an alarm is learned, so an ongoing episode never becomes normal.
 */
export class AdaptiveLimits {
  private readonly limits: LogLimit[];
  private quiet = 0;

  constructor(
    count: number,
    private readonly options: AdaptiveLimitOptions,
    states?: readonly LogLimitState[],
  ) {
    this.limits = Array.from({ length: count }, (_, i) => new LogLimit(states?.[i]));
  }

  /** A calibration reading: every statistic's limit learns it (running mean, no alarm possible). */
  seed(values: ArrayLike<number>): void {
    for (let i = 0; i < this.limits.length; i++) this.limits[i].observe(values[i], 0);
  }

  /** Judges one reading's statistics, learning from them when the device is quietly normal. */
  judge(values: ArrayLike<number>, extra = 0): LimitVerdict {
    let score = extra;
    let statistic = -1;
    for (let i = 0; i < this.limits.length; i++) {
      const part = values[i] / this.limits[i].limit(this.options.sigmas);
      if (part > score) {
        score = part;
        statistic = i;
      }
    }
    this.quiet = score >= 1 ? 0 : this.quiet + 1;
    const learned = score < 1 && this.quiet > this.options.quietBefore;
    if (learned)
      for (let i = 0; i < this.limits.length; i++)
        this.limits[i].observe(values[i], this.options.weight);
    return { score, statistic, learned };
  }

  /** Every statistic's scale changed by `factor`: each limit follows (learning goes on from there). */
  rescale(factor: number): void {
    for (const limit of this.limits) limit.rescale(factor);
  }

  states(): LogLimitState[] {
    return this.limits.map((limit) => limit.state());
  }

  get bytes(): number {
    return this.limits.length * 24 + 8;
  }
}
