/** Settings of the multivariate detector; one set for every device (see README "Detection"). */
export interface SubspaceOptions {
  /** Readings a device learns from before it is scored. */
  learnReadings: number;
  /**
   * The learning readings also span at least this much of the device's own time: a device that
   * sends every few seconds has not shown a quarter of a day's cycle in 150 readings.
   */
  learnDurationMs: number;
  /** Share of the learning readings held out to set the limits on values the fit has not seen. */
  holdoutShare: number;
  explainedVariance: number;
  shrinkage: number;
  /** Weight of the newest reading in the EWMA of the standardised vector (small persistent shifts). */
  ewmaWeight: number;
  /**
   * Each standardised value enters the EWMA clipped at ±ewmaClip: the EWMA is for small
   * persistent shifts, and an extreme reading would otherwise keep it over its limit for many
   * readings after the fault has gone (Infinity: no clipping).
   */
  ewmaClip: number;
  /** A statistic scores 1.0 at exp(mean + limitSigmas × sd) of its log over normal readings. */
  limitSigmas: number;
  /** EWMA weight with which the limits keep learning from readings judged normal. */
  limitWeight: number;
  /** EWMA weight with which the covariance follows readings judged normal (0: frozen). */
  adaptWeight: number;
  /** EWMA weight with which each metric's centre follows readings judged normal (0: frozen). */
  centreWeight: number;
  /** Readings under the threshold after the last one over it before anything is learned again. */
  quietBeforeAdapt: number;
  /** The principal components are re-derived after this many adapted readings. */
  refreshEvery: number;
  /**
   * Judge the residual T² too. Off for a fleet's subspace: its smallest residual directions are
   * fitted to other devices and are too tight for a device that only recentred them.
   */
  residualT2: boolean;
  /** A noisy metric repeating one value this many readings scores 1.0 as stuck (0: off). */
  stuckReadings: number;
  /** Readings a missing metric keeps its last value before it is imputed as stale. */
  maxCarryForward: number;
}

/** The defaults, tuned on the tuning splits only (BATADAL dataset04, TEP d00 + dNN training runs). */
export const DEFAULT_SUBSPACE_OPTIONS: SubspaceOptions = {
  learnReadings: 150,
  learnDurationMs: 6 * 3_600_000,
  holdoutShare: 1 / 3,
  explainedVariance: 0.9,
  shrinkage: 0.1,
  ewmaWeight: 0.3,
  ewmaClip: 5,
  limitSigmas: 3,
  limitWeight: 0.001,
  adaptWeight: 0.001,
  centreWeight: 0.001,
  quietBeforeAdapt: 30,
  refreshEvery: 200,
  residualT2: true,
  stuckReadings: 10,
  maxCarryForward: 3,
};
