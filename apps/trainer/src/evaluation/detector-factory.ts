import {
  AnomalyDetector,
  autoencoderDetector,
  openModel,
  ServableModel,
  StreamingZScoreDetector,
} from '@iag/detection';
import { DeviceSeries, trainAutoencoder } from '@iag/detection-lab';

export type DetectorKind = 'zscore' | 'autoencoder';

export interface DetectorSettings {
  zThreshold: number;
  learnReadings: number;
  /** The z-score detector's likelihood stage; null: plain robust z. */
  likelihood: { warmupReadings: number; threshold: number } | null;
  /** autoencoder on NAB: window and training settings for the per-series model. */
  windowSize: number;
  epochs: number;
  seed: number;
}

/** The detector to evaluate on one series: a fresh one per series (NAB detectors start blank). */
export interface SeriesDetector {
  detector: AnomalyDetector;
  dispose(): void;
}

export function zscoreFactory(settings: DetectorSettings): () => Promise<SeriesDetector> {
  return async () => ({
    detector: new StreamingZScoreDetector({
      learnReadings: settings.learnReadings,
      zThreshold: settings.zThreshold,
      likelihood: settings.likelihood,
    }),
    dispose: () => undefined,
  });
}

/** A saved model, scoring every device (its per-device state starts blank per series). */
export async function modelFactory(
  dir: string,
): Promise<{ model: ServableModel; create: () => Promise<SeriesDetector> }> {
  const model = await openModel(dir);
  return {
    model,
    create: async () => ({ detector: autoencoderDetector(model), dispose: () => undefined }),
  };
}

/**
 * NAB is unsupervised and online: a detector may only learn from what it has seen. The
 * autoencoder is therefore trained on a series' probationary rows (which NAB never scores) and
 * normalised per device over them, then scores the whole series.
 */
export async function probationTrained(
  series: DeviceSeries,
  probation: number,
  features: string[],
  settings: DetectorSettings,
): Promise<SeriesDetector> {
  const training = { deviceId: series.deviceId, readings: series.readings.slice(0, probation) };
  const result = await trainAutoencoder([training], {
    name: 'nab',
    version: '1',
    features,
    windowSize: settings.windowSize,
    normalization: 'global',
    calibrationReadings: Math.max(2, probation),
    epochs: settings.epochs,
    batchSize: 32,
    validationSplit: 0.2,
    patience: 5,
    seed: settings.seed,
    thresholdQuantile: 0.99,
  });
  return { detector: autoencoderDetector(result.model), dispose: () => result.model.dispose() };
}
