import { ConfigException } from './config.exception';
import { DetectionEnv, detectionEnvSchema } from './config.schema';

/** How readings become scores and episodes: the same for the gateway and the trainer's backtest. */
export interface DetectionSettings {
  /** The z-score detector (every metric no other detector covers). */
  learnReadings: number;
  zThreshold: number;
  /** The z-score detector's likelihood stage; null when DETECTOR_LIKELIHOOD_READINGS=0. */
  likelihood: { warmupReadings: number; threshold: number } | null;
  /**
   * The zero-config multivariate detector for devices without a model; null when off. Its
   * episodes close after `closeAfter` readings under its threshold (its evidence comes and goes
   * within one fault more than a single metric's does).
   */
  multivariate: { learnReadings: number; learnMs: number; closeAfter: number } | null;
  openAfter: number;
  closeAfter: number;
}

export function detectionSettingsOf(env: DetectionEnv): DetectionSettings {
  return {
    learnReadings: env.DETECTOR_LEARN_READINGS,
    zThreshold: env.DETECTOR_Z_THRESHOLD,
    likelihood:
      env.DETECTOR_LIKELIHOOD_READINGS === 0
        ? null
        : {
            warmupReadings: env.DETECTOR_LIKELIHOOD_READINGS,
            threshold: env.DETECTOR_LIKELIHOOD_THRESHOLD,
          },
    multivariate: env.DETECTOR_MULTIVARIATE
      ? {
          learnReadings: env.DETECTOR_MULTIVARIATE_LEARN_READINGS,
          learnMs: env.DETECTOR_MULTIVARIATE_LEARN_MINUTES * 60_000,
          closeAfter: env.DETECTOR_MULTIVARIATE_CLOSE_AFTER,
        }
      : null,
    openAfter: env.EPISODE_OPEN_AFTER,
    closeAfter: env.EPISODE_CLOSE_AFTER,
  };
}

/**
 * The detection settings of this process's environment alone (the trainer: a backtest scores as
 * a gateway started with the same DETECTOR_* and EPISODE_* variables would). Every bad one is named.
 */
export function detectionSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): DetectionSettings {
  const result = detectionEnvSchema.safeParse(env);
  if (!result.success) {
    throw new ConfigException(
      result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    );
  }
  return detectionSettingsOf(result.data);
}
