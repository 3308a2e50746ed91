import { AnomalyDetector, DeviceWindow, ScoreSource, WindowScore } from '../detector.port';
import { modelPredictRows, modelWindowsSkipped } from '../detection.metrics';
import { LoadedModel, ServableModel } from '../model/loaded-model';
import { loadModelArtifact } from '../model/model-artifact';
import { FeatureWindow, PushResult } from './feature-window';
import { DeviceCalibration, scalingFor } from './normalization';
import { reconstructionScore } from './reconstruction';

/** What a model keeps per device: the window over its features and the raw per-device statistics. */
export class DeviceModelState {
  window: FeatureWindow;

  constructor(
    private model: LoadedModel,
    readonly calibration = new DeviceCalibration(),
  ) {
    this.window = DeviceModelState.windowFor(model);
  }

  /** Keeps the window when the new model reads the same features over the same window size. */
  adopt(model: LoadedModel): void {
    const { features, windowSize } = model.metadata;
    if (!this.window.fits(features, windowSize)) this.window = DeviceModelState.windowFor(model);
    else this.window.unscale(); // the new model's scaling applies from the next push
    this.model = model;
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
        meta.normalization.calibrationReadings,
      );
    }
    const scaling = scalingFor(meta, this.calibration);
    if (scaling !== null) this.window.scaleWith(scaling.mean, scaling.std);
    return pushed;
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

export function sourceOf(model: LoadedModel): ScoreSource {
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
  return items.map((_, i) => {
    const row = rowOf[i];
    if (row < 0) return null;
    const score = reconstructionScore(
      errors,
      row * f,
      meta.windowSize,
      meta.features,
      meta.threshold,
    );
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

/** An AnomalyDetector scoring every device with one model (trained or loaded). */
export function autoencoderDetector(model: ServableModel): AnomalyDetector {
  return new AutoencoderDetector(model as LoadedModel);
}

/** Loads a model version directory (model.json, weights, metadata.json) for offline use. */
export function openModel(dir: string): Promise<ServableModel> {
  return loadModelArtifact(dir);
}
