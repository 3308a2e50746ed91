import { Reading } from '@iag/contracts';
import { DeviceCalibration, FeatureWindow, scalingReadingsOf } from '@iag/detection';
import { NormalizationMode } from '@iag/contracts';

export interface DeviceSeries {
  deviceId: string;
  /** In ts order. */
  readings: Reading[];
}

export interface WindowingOptions {
  features: string[];
  windowSize: number;
  maxCarryForward: number;
  mode: NormalizationMode;
  calibrationReadings: number;
  /** Global mean/std (from globalScaling) used in global mode and as the std floor per device. */
  mean: number[];
  std: number[];
}

/** Mean and std of each feature over every reading that carries it (population std, floored). */
export function globalScaling(
  series: readonly DeviceSeries[],
  features: readonly string[],
): { mean: number[]; std: number[]; counts: number[] } {
  const n = features.map(() => 0);
  const mean = features.map(() => 0);
  const m2 = features.map(() => 0);
  for (const { readings } of series) {
    for (const { values } of readings) {
      features.forEach((name, i) => {
        const x = values[name];
        if (x === undefined || !Number.isFinite(x)) return;
        n[i]++;
        const delta = x - mean[i];
        mean[i] += delta / n[i];
        m2[i] += delta * (x - mean[i]);
      });
    }
  }
  const std = m2.map((v, i) => {
    const s = n[i] > 0 ? Math.sqrt(v / n[i]) : 0;
    return s > 0 ? s : Math.max(1e-6, Math.abs(mean[i]) * 1e-6);
  });
  return { mean, std, counts: n };
}

/**
 * Every window the gateway would score, normalised exactly as it would normalise it (the same
 * FeatureWindow and DeviceCalibration replayed per device), packed row after row. `index` gives
 * the reading each window ends at.
 */
export function buildWindows(
  series: readonly DeviceSeries[],
  options: WindowingOptions,
): { data: Float32Array; rows: number; index: { device: number; reading: number }[] } {
  const width = options.windowSize * options.features.length;
  const chunks: Float32Array[] = [];
  const index: { device: number; reading: number }[] = [];
  // The readings that give a device its scale, as the gateway counts them (the rest set its limits).
  const scalingReadings = scalingReadingsOf({
    mode: options.mode,
    mean: options.mean,
    std: options.std,
    calibrationReadings: options.calibrationReadings,
  });
  series.forEach(({ readings }, device) => {
    const window = new FeatureWindow(options.features, options.windowSize, options.maxCarryForward);
    const calibration = new DeviceCalibration();
    const buffer = new Float32Array(readings.length * width);
    let rows = 0;
    readings.forEach(({ values }, reading) => {
      const pushed = window.push(values);
      let mean: ArrayLike<number> = options.mean;
      let std: ArrayLike<number> = options.std;
      if (options.mode === 'per-device') {
        if (pushed !== 'missing') {
          calibration.observe(options.features, window.latest(), scalingReadings);
        }
        const own = calibration.scaling(options.features, scalingReadings, options.std);
        if (own === null) return;
        ({ mean, std } = own);
      }
      if (!window.ready) return;
      window.copyNormalized(buffer, rows * width, mean, std);
      rows++;
      index.push({ device, reading });
    });
    chunks.push(buffer.subarray(0, rows * width));
  });
  const data = new Float32Array(index.length * width);
  let offset = 0;
  for (const chunk of chunks) {
    data.set(chunk, offset);
    offset += chunk.length;
  }
  return { data, rows: index.length, index };
}
