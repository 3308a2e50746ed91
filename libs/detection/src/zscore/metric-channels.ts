import { MetricBaseline } from './metric-baseline';
import { ScoreLikelihood } from './score-likelihood';

export interface LikelihoodOptions {
  /** Scored readings of a metric before its likelihood stage takes over from the plain z. */
  warmupReadings: number;
  /** Likelihood z that scores 1.0. */
  threshold: number;
}

/**
 * Everything the z-score detector keeps for one metric of one device. Two channels: the level
 * (robust z of the value) and the change (robust z of the step from the previous value, which
 * catches a jump inside the normal range, or a noisy sensor going flat, earlier). With the
 * likelihood stage on, once warm, each channel's z is judged against its own history.
 */
export class MetricChannels {
  readonly level: MetricBaseline;
  private readonly change: MetricBaseline;
  private readonly levelLikelihood: ScoreLikelihood | null;
  private readonly changeLikelihood: ScoreLikelihood | null;
  private previous: number | null = null;

  constructor(
    learnReadings: number,
    private readonly zThreshold: number,
    private readonly likelihood: LikelihoodOptions | null,
  ) {
    this.level = new MetricBaseline(learnReadings);
    this.change = new MetricBaseline(learnReadings);
    this.levelLikelihood = likelihood ? new ScoreLikelihood(likelihood.warmupReadings) : null;
    this.changeLikelihood = likelihood ? new ScoreLikelihood(likelihood.warmupReadings) : null;
  }

  /** This metric's score for the value (1.0 = threshold); null while it is still learning. */
  observe(x: number): number | null {
    const z = this.level.observe(x);
    const dz = this.previous === null ? null : this.change.observe(x - this.previous);
    this.previous = x;
    if (z === null) return null;
    if (this.levelLikelihood === null) return z / this.zThreshold;
    const levelL = this.levelLikelihood.observe(z);
    const changeL = dz === null ? null : this.changeLikelihood!.observe(dz);
    if (levelL === null) return z / this.zThreshold; // warming up: the plain z decides
    return Math.max(levelL, changeL ?? 0) / this.likelihood!.threshold;
  }

  /**
   * Takes x in without scoring it (another detector scores this reading): the level and change
   * baselines stay current, so a score later is against today's normal. The likelihood history,
   * a history of this metric's own scores, waits for the next scored reading.
   */
  learn(x: number): void {
    this.level.learn(x);
    if (this.previous !== null) this.change.learn(x - this.previous);
    this.previous = x;
  }
}
