import { DetectionSettings } from '@iag/config';
import { MULTIVARIATE_DETECTOR_ID, SubspaceDetector } from '../subspace/subspace.detector';
import { StreamingZScoreDetector } from '../zscore/streaming-zscore.detector';
import { ModelRoutingDetector } from './model-routing.detector';

/**
 * The gateway's detector as its settings describe it: models per profile, the multivariate
 * detector for devices without one, the z-score behind both. The trainer's backtest builds the
 * very same one, so a replay scores exactly as a running gateway with those settings would.
 */
export function routingDetector(settings: DetectionSettings): ModelRoutingDetector {
  const zscore = new StreamingZScoreDetector(settings);
  const multivariate = settings.multivariate
    ? new SubspaceDetector(
        {
          learnReadings: settings.multivariate.learnReadings,
          learnDurationMs: settings.multivariate.learnMs,
        },
        null,
        {
          id: MULTIVARIATE_DETECTOR_ID,
          version: null,
          episode: { openAfter: settings.openAfter, closeAfter: settings.multivariate.closeAfter },
        },
      )
    : null;
  return new ModelRoutingDetector(zscore, multivariate);
}
