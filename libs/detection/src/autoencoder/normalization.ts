import { LIMIT_SHARE } from '../calibration/limit-defaults';
import { ModelMetadata } from '../model/model-metadata';

/** Floor for a standard deviation, relative to the model's global one: a flat sensor must not divide by 0. */
const STD_FLOOR_RATIO = 1e-3;

export interface Scaling {
  mean: ArrayLike<number>;
  std: ArrayLike<number>;
}

/**
 * Per-device statistics of raw metric values (Welford), learned over the device's first
 * readings and then frozen, so a later fault cannot teach the device that it is normal.
 * Kept by metric name, independent of any model, so they survive a model swap.
 */
export class DeviceCalibration {
  private readonly stats = new Map<string, { n: number; mean: number; m2: number }>();

  /** Adds a reading's values for `features`, for metrics that have fewer than `limit` samples. */
  observe(features: readonly string[], latest: ArrayLike<number>, limit: number): void {
    features.forEach((name, i) => {
      let s = this.stats.get(name);
      if (s === undefined) this.stats.set(name, (s = { n: 0, mean: 0, m2: 0 }));
      if (s.n >= limit) return;
      const x = latest[i];
      s.n++;
      const delta = x - s.mean;
      s.mean += delta / s.n;
      s.m2 += delta * (x - s.mean);
    });
  }

  /** Mean and (population) std per feature once each has `limit` samples; null before. */
  scaling(
    features: readonly string[],
    limit: number,
    globalStd: readonly number[],
  ): Scaling | null {
    const mean = new Float64Array(features.length);
    const std = new Float64Array(features.length);
    for (let i = 0; i < features.length; i++) {
      const s = this.stats.get(features[i]);
      if (s === undefined || s.n < limit) return null;
      mean[i] = s.mean;
      std[i] = Math.max(Math.sqrt(s.m2 / s.n), STD_FLOOR_RATIO * globalStd[i]);
    }
    return { mean, std };
  }
}

/** The model's scaling for a device: its global mean/std, or the device's own once calibrated. */
export function scalingFor(meta: ModelMetadata, calibration: DeviceCalibration): Scaling | null {
  const { mode, mean, std } = meta.normalization;
  if (mode === 'global') return { mean, std };
  return calibration.scaling(meta.features, scalingReadingsOf(meta.normalization), std);
}

/**
 * How a device calibrates to a model over its first `calibrationReadings` readings: with
 * per-device normalisation the first two thirds give its scale, and the windows after them (a
 * third of the readings) its own limits; with global normalisation only the limits are its own.
 */
export function scalingReadingsOf(normalization: ModelMetadata['normalization']): number {
  if (normalization.mode === 'global') return 0;
  return normalization.calibrationReadings - limitWindowsOf(normalization);
}

/** Windows a device's own limits are learned from before the model scores it (see scalingReadingsOf). */
export function limitWindowsOf(normalization: ModelMetadata['normalization']): number {
  return Math.max(1, Math.round(normalization.calibrationReadings * LIMIT_SHARE));
}
