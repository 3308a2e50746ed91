import { Reading } from '@iag/contracts';

/** The newest reading of one device; a detector keeps whatever window it needs per device itself. */
export interface DeviceWindow {
  deviceId: string;
  reading: Reading;
  /** The device's profile from provisioning, when it has one: it picks the model that scores it. */
  profile?: string | null;
}

/** Which detector (and model version) produced a score; reported on the Anomaly. */
export interface ScoreSource {
  id: string;
  version: string | null;
  /** Raw threshold in the detector's own units. */
  threshold: number;
  /** A model's own episode settings (metadata.json); absent: the gateway's. */
  episode?: { openAfter: number; closeAfter: number };
}

/** One detector's score of a reading, when several scored it (see WindowScore.evidence). */
export interface Evidence {
  source: ScoreSource;
  /** Normalised: 1.0 is that detector's threshold. */
  score: number;
}

export interface WindowScore {
  /** Normalised: 1.0 is this detector's threshold. */
  score: number;
  /** Each metric's share of the score: sums to 1, sorted largest first. */
  contributions: { name: string; contribution: number }[];
  /** Set by detectors that delegate (one model per profile); absent means the detector itself. */
  source?: ScoreSource;
  /**
   * Every detector that scored the reading, when more than one did (the router: a model or the
   * multivariate detector, and the z-score on the metrics they do not cover). `score`,
   * `contributions` and `source` are then those of the highest one (the combination rule).
   */
  evidence?: Evidence[];
}

/**
 * The detector port (river `score_one`, NAB `handleRecord`): it only scores. Thresholding into
 * episodes happens outside (EpisodeTracker), so every detector gets the same alerting behaviour.
 *
 * A batch may hold several windows of one device; they come in ts order and must be scored in that
 * order. Scoring is async so a model can micro-batch one predict() across devices.
 */
export interface AnomalyDetector {
  /** 'zscore' for the streaming detector; a model's name otherwise. */
  readonly id: string;
  /** Model version; null for detectors without one. */
  readonly version: string | null;
  /** Raw threshold in the detector's own units (z for zscore), reported on the Anomaly. */
  readonly threshold: number;
  /** One result per window, same order; null = still learning this device (or all its metrics). */
  scoreBatch(windows: DeviceWindow[]): Promise<(WindowScore | null)[]>;
  /** Drops all state of a device (revoked). Unknown devices are ignored. */
  forget(deviceId: string): void;
  /** False while the detector cannot score yet (a model still loading); absent means always ready. */
  isReady?(): boolean;
}

/** Which of a reading's metrics another detector scored: all (true), none (false), or these names. */
export type Coverage = boolean | readonly string[];

/**
 * A detector that can stand behind others (the z-score behind the models and the multivariate
 * detector): it sees every reading, scoring the metrics no other detector scored and only learning
 * from the rest, so it is current whenever it has to step in, without spending a score that would
 * be thrown away.
 */
export interface FallbackDetector extends AnomalyDetector {
  /** One result per window, in order; null where every metric was covered (or is still learning). */
  scoreUncovered(windows: DeviceWindow[], covered: readonly Coverage[]): (WindowScore | null)[];
}
