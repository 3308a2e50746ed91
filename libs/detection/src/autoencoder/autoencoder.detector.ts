import { AnomalyDetector, DeviceWindow, ScoreSource, WindowScore } from '../detector.port';
import { modelPredictRows, modelWindowsSkipped } from '../detection.metrics';
import { LoadedModel, ServableModel } from '../model/loaded-model';
import { loadServedModel } from '../model/model-artifact';
import { SubspaceModel } from '../subspace/subspace-model';
import { FeatureWindow, PushResult } from './feature-window';
import { AdaptiveLimits } from '../calibration/adaptive-limits';
import { DEVICE_LIMITS, ERROR_EWMA_WEIGHT } from '../calibration/limit-defaults';
import { DeviceCalibration, limitWindowsOf, scalingFor, scalingReadingsOf } from './normalization';
import { meanSquaredError, reconstructionWindow } from './reconstruction';

/**
 * What a model keeps per device: the window over its features, the raw per-device statistics
 * and the device's own limits. The limits are learned from the device's own windows (a third of
 * its calibration readings) rather than taken from the training quantile, so a device whose
 * normal is noisier or quieter than the training fleet's alarms on its own abnormal, not on its
 * normal; afterwards they follow readings judged normal (see AdaptiveLimits).
 */
export class DeviceModelState {
  window: FeatureWindow;
  private limits!: AdaptiveLimits;
  private limitWindowsLeft = 0;
  private errorEwma = -1;
  private readonly judged = new Float64Array(2);

  constructor(
    private model: LoadedModel,
    readonly calibration = new DeviceCalibration(),
  ) {
    this.window = DeviceModelState.windowFor(model);
    this.resetLimits();
  }

  /** Keeps the window when the new model reads the same features over the same window size. */
  adopt(model: LoadedModel): void {
    const { features, windowSize } = model.metadata;
    const keep = this.window.fits(features, windowSize);
    if (!keep) this.window = DeviceModelState.windowFor(model);
    else this.window.unscale(); // the new model's scaling applies from the next push
    const previous = this.model;
    this.model = model;
    if (model.key === previous.key) return;
    if (keep) {
      // A retrain of the same shape: its errors are on the scale of its training threshold, so
      // the device's limits carry over rescaled by the ratio, and it is scored at once.
      const ratio = model.metadata.threshold / previous.metadata.threshold;
      this.limits.rescale(ratio);
      if (this.errorEwma >= 0) this.errorEwma *= ratio;
    } else {
      this.resetLimits();
    }
  }

  /**
   * Judges a window's mean squared error against the device's limits (its raw value and its
   * EWMA, for small persistent shifts); null while the limits are still being learned.
   */
  judge(mse: number): number | null {
    this.errorEwma =
      this.errorEwma < 0 ? mse : ERROR_EWMA_WEIGHT * mse + (1 - ERROR_EWMA_WEIGHT) * this.errorEwma;
    this.judged[0] = mse;
    this.judged[1] = this.errorEwma;
    if (this.limitWindowsLeft > 0) {
      this.limits.seed(this.judged);
      this.limitWindowsLeft--;
      return null;
    }
    return this.limits.judge(this.judged).score;
  }

  private resetLimits(): void {
    this.limits = new AdaptiveLimits(2, DEVICE_LIMITS);
    this.limitWindowsLeft = limitWindowsOf(this.model.metadata.normalization);
    this.errorEwma = -1;
  }

  /**
   * Moves the window by one reading and returns what it did; the reading adds to the calibration
   * until the scaling is known. From then on the window keeps itself normalised: per-device
   * statistics freeze after calibration, and global ones never change.
   */
  push(values: Record<string, number>): PushResult {
    const pushed = this.window.push(values);
    if (this.window.isScaled) return pushed;
    const meta = this.model.metadata;
    if (pushed !== 'missing' && meta.normalization.mode === 'per-device') {
      this.calibration.observe(
        meta.features,
        this.window.latest(),
        scalingReadingsOf(meta.normalization),
      );
    }
    const scaling = scalingFor(meta, this.calibration);
    if (scaling !== null) this.window.scaleWith(scaling.mean, scaling.std);
    return pushed;
  }

  /** Still calibrating to the device: its scale or its own limits not learned yet. */
  get calibrating(): boolean {
    return !this.window.isScaled || this.limitWindowsLeft > 0;
  }

  /** The window can be scored: full, nothing missing beyond the carry-forward bound, scaled. */
  get ready(): boolean {
    return this.window.ready && this.window.isScaled;
  }

  private static windowFor(model: LoadedModel): FeatureWindow {
    const { features, windowSize, maxCarryForward } = model.metadata;
    return new FeatureWindow(features, windowSize, maxCarryForward);
  }
}

export interface ModelBatchItem {
  state: DeviceModelState;
  values: Record<string, number>;
}

export function sourceOf(model: { metadata: LoadedModel['metadata'] }): ScoreSource {
  const { name, version, threshold, episode } = model.metadata;
  return episode ? { id: name, version, threshold, episode } : { id: name, version, threshold };
}

/**
 * Scores items (in ts order per device) with one predict: each reading moves its device's
 * window, and every window that is ready is copied into one input batch right after its move.
 * null = the window is still filling, calibrating, or holds a missing metric (counted).
 */
export async function scoreWithModel(
  model: LoadedModel,
  items: ModelBatchItem[],
): Promise<(WindowScore | null)[]> {
  const meta = model.metadata;
  const width = model.rowLength;
  const input = new Float32Array(items.length * width);
  const rowOf = new Int32Array(items.length).fill(-1);
  let rows = 0;
  let skipped = 0;
  items.forEach(({ state, values }, i) => {
    if (state.push(values) === 'missing') skipped++;
    if (!state.ready) return;
    state.window.copyScaled(input, rows * width);
    rowOf[i] = rows++;
  });
  if (skipped > 0) modelWindowsSkipped.inc(skipped);
  if (rows === 0) return items.map(() => null);
  modelPredictRows.observe(rows);
  const errors = await model.squaredErrors(input, rows);
  const source = sourceOf(model);
  const f = meta.features.length;
  return items.map(({ state }, i) => {
    const row = rowOf[i];
    if (row < 0) return null;
    const judged = state.judge(meanSquaredError(errors, row * f, meta.windowSize, f));
    if (judged === null) return null; // the device's own limits are still being learned
    const score = reconstructionWindow(errors, row * f, meta.features, judged);
    score.source = source; // set, not spread: the contributions are a lazy getter
    return score;
  });
}

/** One model scoring every device (the trainer's evaluate, tests); the gateway routes with ModelRoutingDetector. */
export class AutoencoderDetector implements AnomalyDetector {
  readonly id: string;
  readonly version: string;
  readonly threshold: number;
  private readonly devices = new Map<string, DeviceModelState>();

  constructor(private readonly model: LoadedModel) {
    this.id = model.metadata.name;
    this.version = model.metadata.version;
    this.threshold = model.metadata.threshold;
  }

  scoreBatch(windows: DeviceWindow[]): Promise<(WindowScore | null)[]> {
    const items = windows.map(({ deviceId, reading }) => {
      let state = this.devices.get(deviceId);
      if (state === undefined)
        this.devices.set(deviceId, (state = new DeviceModelState(this.model)));
      return { state, values: reading.values };
    });
    return scoreWithModel(this.model, items);
  }

  forget(deviceId: string): void {
    this.devices.delete(deviceId);
  }
}

/**
 * An AnomalyDetector scoring every device with one model, whatever its kind (the trainer's
 * evaluate); the gateway and the backtest route with ModelRoutingDetector.
 */
export function autoencoderDetector(model: ServableModel): AnomalyDetector {
  if (model instanceof SubspaceModel) return model.detector;
  return new AutoencoderDetector(model as LoadedModel);
}

/** Loads a model version directory (metadata.json and its kind's files) for offline use. */
export function openModel(dir: string): Promise<ServableModel> {
  return loadServedModel(dir);
}
