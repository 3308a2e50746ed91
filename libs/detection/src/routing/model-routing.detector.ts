import { Logger } from '@nestjs/common';
import { AnomalyDetector, DeviceWindow, FallbackDetector, WindowScore } from '../detector.port';
import {
  DeviceModelState,
  ModelBatchItem,
  scoreWithModel,
} from '../autoencoder/autoencoder.detector';
import { DeviceCalibration } from '../autoencoder/normalization';
import { LoadedModel } from '../model/loaded-model';
import { routeFor } from './route';

/** Per device: which model scores it (null: the z-score fallback), decided once per set of active models. */
interface DeviceRoute {
  epoch: number;
  model: string | null;
  state: DeviceModelState | null;
  /** Kept across re-routing, so per-device statistics survive a model swap. */
  calibration: DeviceCalibration;
}

/**
 * The gateway's detector: each device is scored by the active model of its profile, or of the
 * first model whose features its readings carry, else by the z-score fallback. One predict per
 * model per batch, across devices. The fallback sees every reading, so it scores whatever a model
 * cannot, at once and against today's normal: a window filling or calibrating, or one holding a
 * metric missing beyond the carry-forward bound. It only learns from the readings a model scored:
 * its score there would be thrown away, and scoring cost more than the model's own predict.
 *
 * Hot swap (activate): a batch in flight finishes on the models it started with; the next batch
 * uses the new set. A device keeps its window when the new version reads the same features over
 * the same window size (so the next reading is scored by the new version at once) and its
 * per-device statistics in any case; otherwise its window refills first.
 */
export class ModelRoutingDetector implements AnomalyDetector {
  readonly version = null;
  private readonly logger = new Logger(ModelRoutingDetector.name);
  private models = new Map<string, LoadedModel>();
  private readonly devices = new Map<string, DeviceRoute>();
  private epoch = 0;
  private inFlight = 0;
  private retired: LoadedModel[] = [];
  private loading = false;

  constructor(private readonly fallback: FallbackDetector) {}

  get id(): string {
    const names = [...this.models.values()].map((m) => m.key);
    return names.length === 0 ? this.fallback.id : `${names.join(',')}+${this.fallback.id}`;
  }

  get threshold(): number {
    return this.fallback.threshold;
  }

  /** Serves `model` for its name from the next batch on; the version it replaces is unloaded. */
  activate(model: LoadedModel): void {
    const next = new Map(this.models);
    const previous = next.get(model.metadata.name);
    next.set(model.metadata.name, model);
    this.models = next;
    this.epoch++;
    if (previous !== undefined && previous !== model) this.retire(previous);
  }

  /** The versions serving now, by model name. */
  active(): Map<string, LoadedModel> {
    return new Map(this.models);
  }

  /** Set by the registry while it loads what it serves at start: not ready meanwhile. */
  setLoading(loading: boolean): void {
    this.loading = loading;
  }

  isReady(): boolean {
    return !this.loading;
  }

  async scoreBatch(windows: DeviceWindow[]): Promise<(WindowScore | null)[]> {
    const models = this.models; // a swap during this batch applies to the next one
    this.inFlight++;
    try {
      const groups = new Map<string, { indexes: number[]; items: ModelBatchItem[] }>();
      windows.forEach((window, i) => {
        const route = this.routeOf(window, models);
        if (route.model === null) return;
        let group = groups.get(route.model);
        if (group === undefined) groups.set(route.model, (group = { indexes: [], items: [] }));
        group.indexes.push(i);
        group.items.push({ state: route.state!, values: window.reading.values });
      });
      const results: (WindowScore | null)[] = new Array<WindowScore | null>(windows.length);
      const covered: boolean[] = new Array<boolean>(windows.length).fill(false);
      for (const [name, group] of groups) {
        const scores = await scoreWithModel(models.get(name)!, group.items);
        group.indexes.forEach((index, k) => {
          results[index] = scores[k];
          covered[index] = scores[k] !== null;
        });
      }
      // A model's window still filling, calibrating, or holding a missing metric: the z-score scores.
      const fallback = this.scoreFallback(windows, covered);
      for (let i = 0; i < windows.length; i++) if (!covered[i]) results[i] = fallback[i];
      return results;
    } finally {
      this.inFlight--;
      this.disposeRetired();
    }
  }

  forget(deviceId: string): void {
    this.devices.delete(deviceId);
    this.fallback.forget(deviceId);
  }

  private scoreFallback(windows: DeviceWindow[], covered: boolean[]): (WindowScore | null)[] {
    const scores = this.fallback.scoreUncovered(windows, covered);
    const source = {
      id: this.fallback.id,
      version: this.fallback.version,
      threshold: this.fallback.threshold,
    };
    // Marked in place: a copy would also force the lazy contributions of every quiet reading.
    for (const score of scores)
      if (score !== null && score.source === undefined) score.source = source;
    return scores;
  }

  private routeOf(window: DeviceWindow, models: Map<string, LoadedModel>): DeviceRoute {
    const known = this.devices.get(window.deviceId);
    if (known !== undefined && known.epoch === this.epoch) return known;
    const model = routeFor(window.profile ?? null, window.reading.values, models);
    const calibration = known?.calibration ?? new DeviceCalibration();
    let state: DeviceModelState | null = null;
    if (model !== null) {
      state = known?.model === model.metadata.name && known.state ? known.state : null;
      if (state) state.adopt(model);
      else state = new DeviceModelState(model, calibration);
    }
    const route: DeviceRoute = {
      epoch: this.epoch,
      model: model?.metadata.name ?? null,
      state,
      calibration,
    };
    this.devices.set(window.deviceId, route);
    return route;
  }

  private retire(model: LoadedModel): void {
    this.retired.push(model);
    this.disposeRetired();
  }

  private disposeRetired(): void {
    if (this.inFlight > 0) return;
    for (const model of this.retired) {
      model.dispose();
      this.logger.log(`unloaded model ${model.key}`);
    }
    this.retired = [];
  }
}
