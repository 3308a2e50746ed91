import { Logger } from '@nestjs/common';
import {
  AnomalyDetector,
  Coverage,
  DeviceWindow,
  FallbackDetector,
  ScoreSource,
  WindowScore,
} from '../detector.port';
import {
  DeviceModelState,
  ModelBatchItem,
  scoreWithModel,
  sourceOf,
} from '../autoencoder/autoencoder.detector';
import { DeviceCalibration } from '../autoencoder/normalization';
import { LoadedModel } from '../model/loaded-model';
import { isSubspaceModel, ServedModel } from '../model/served-model';
import { SubspaceModel } from '../subspace/subspace-model';
import { SubspaceDetector } from '../subspace/subspace.detector';
import { combine } from './combined-score';
import { routeFor } from './route';

/**
 * While the multivariate detector learns a device of several metrics (its first 150 readings),
 * or a model calibrates to it, the z-score alarms only at this many times its threshold (z 24 by
 * default): its robust z over 30 readings, the largest of many metrics, alarms on the ordinary
 * noise and switching of a new device (on the tuning split, BATADAL dataset04, 65 of its 109
 * false-alarm hours at factor 2), while a gross fault (a sensor gone to 0 or its full scale)
 * still opens an episode. Factor 4 there: F1 0.89 at 2.4 % false alarms; no guard at all: 0.93
 * at 1.2 %, but a new device would be blind to anything for its first 150 readings.
 */
const GUARD_FACTOR = 4;
const GUARDED = Symbol('guarded') as unknown as Coverage;

/** Both lists' names, each once. */
function union(a: readonly string[], b: readonly string[]): readonly string[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  return [...new Set([...a, ...b])];
}

/** A score judged against `factor` times its detector's threshold (contributions unchanged, still lazy). */
function scaled(score: WindowScore, factor: number): WindowScore {
  return {
    score: score.score / factor,
    get contributions() {
      return score.contributions;
    },
  };
}

/** Per device: which model scores it (null: the z-score fallback), decided once per set of active models. */
interface DeviceRoute {
  epoch: number;
  model: string | null;
  state: DeviceModelState | null;
  /** Kept across re-routing, so per-device statistics survive a model swap. */
  calibration: DeviceCalibration;
}

/**
 * The gateway's detector. Each reading has one primary detector: the active model of the
 * device's profile (or of the first model whose features its readings carry) once that model can
 * score the device; else, for a device without a model, the multivariate detector once it has
 * learned the device; else none. The z-score detector sees every reading: it scores the metrics
 * the primary does not cover (all of them when there is no primary: a window filling or
 * calibrating, a metric missing beyond the carry-forward bound, a one-metric device) and only
 * learns the others, so it is current whenever it must step in. Where both scored a reading,
 * their evidence is combined into one score (combine()). One predict per model per batch.
 *
 * Hot swap (activate): a batch in flight finishes on the models it started with; the next batch
 * uses the new set. A device keeps its window when the new version reads the same features over
 * the same window size (so the next reading is scored by the new version at once) and its
 * per-device statistics in any case; otherwise its window refills first.
 */
export class ModelRoutingDetector implements AnomalyDetector {
  readonly version = null;
  private readonly logger = new Logger(ModelRoutingDetector.name);
  private models = new Map<string, ServedModel>();
  private readonly devices = new Map<string, DeviceRoute>();
  private epoch = 0;
  private inFlight = 0;
  private retired: ServedModel[] = [];
  private loading = false;
  private cachedMultivariateSource: ScoreSource | null = null;

  constructor(
    private readonly fallback: FallbackDetector,
    /** The zero-config multivariate detector for devices without a model; null: off. */
    private readonly multivariate: SubspaceDetector | null = null,
  ) {}

  get id(): string {
    const names = [...this.models.values()].map((m) => m.key);
    if (this.multivariate !== null) names.push(this.multivariate.id);
    return names.length === 0 ? this.fallback.id : `${names.join(',')}+${this.fallback.id}`;
  }

  get threshold(): number {
    return this.fallback.threshold;
  }

  /** Serves `model` for its name from the next batch on; the version it replaces is unloaded. */
  activate(model: ServedModel): void {
    const next = new Map(this.models);
    const previous = next.get(model.metadata.name);
    next.set(model.metadata.name, model);
    this.models = next;
    this.epoch++;
    if (previous !== undefined && previous !== model) this.retire(previous);
  }

  /** The versions serving now, by model name. */
  active(): Map<string, ServedModel> {
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
      const primary = new Array<WindowScore | null>(windows.length).fill(null);
      const sources = new Array<ScoreSource | null>(windows.length).fill(null);
      const covered = new Array<Coverage>(windows.length).fill(false);
      const groups = new Map<string, { indexes: number[]; items: ModelBatchItem[] }>();
      // The multivariate detector beside an autoencoder, on the same device (see combineBeside).
      const beside = new Array<WindowScore | null>(windows.length).fill(null);
      windows.forEach((window, i) => {
        const route = this.routeOf(window, models);
        if (route.model === null)
          return this.scoreMultivariate(window, i, primary, sources, covered);
        const served = models.get(route.model)!;
        if (isSubspaceModel(served)) return this.scoreSubspace(served, window, i, primary, covered);
        if (this.multivariate !== null) beside[i] = this.multivariate.scoreOne(window);
        let group = groups.get(route.model);
        if (group === undefined) groups.set(route.model, (group = { indexes: [], items: [] }));
        group.indexes.push(i);
        group.items.push({ state: route.state!, values: window.reading.values });
      });
      for (const [name, group] of groups) {
        const model = models.get(name) as LoadedModel; // groups hold autoencoders only
        const scores = await scoreWithModel(model, group.items);
        group.indexes.forEach((index, k) => {
          const calibrating = scores[k] === null && group.items[k].state.calibrating;
          this.combineBeside(windows[index], index, scores[k], beside[index], model, calibrating, {
            primary,
            sources,
            covered,
          });
        });
      }
      return this.withFallback(windows, primary, sources, covered);
    } finally {
      this.inFlight--;
      this.disposeRetired();
    }
  }

  forget(deviceId: string): void {
    this.devices.delete(deviceId);
    for (const model of this.models.values())
      if (isSubspaceModel(model)) model.detector.forget(deviceId);
    this.fallback.forget(deviceId);
    this.multivariate?.forget(deviceId);
  }

  /** Bytes of the multivariate detector's state for a device (the score bench's state figure). */
  multivariateStateBytes(deviceId: string): number {
    return this.multivariate?.stateBytes(deviceId) ?? 0;
  }

  private scoreMultivariate(
    window: DeviceWindow,
    i: number,
    primary: (WindowScore | null)[],
    sources: (ScoreSource | null)[],
    covered: Coverage[],
  ): void {
    if (this.multivariate === null) return;
    const score = this.multivariate.scoreOne(window);
    if (score === null) {
      // Learning the device: the z-score guards it meanwhile, against gross faults only.
      if (this.multivariate.isLearning(window.deviceId)) covered[i] = GUARDED;
      return;
    }
    primary[i] = score;
    sources[i] = this.multivariateSource;
    covered[i] = this.multivariate.modelledMetrics(window.deviceId);
  }

  /**
   * A device an autoencoder serves is also judged by the multivariate detector, which learns the
   * device itself: the model's evidence and its are combined (combine()), and whichever can score
   * while the other learns or calibrates scores alone. On every tuning split this beat the model
   * alone (simulator validation F1 0.59 -> 0.73, BATADAL dataset04 0.77 -> 0.79, TEP training
   * runs 74 -> 91 % mean detection): the model knows the fleet's windows, the multivariate detector
   * this device's relations.
   */
  private combineBeside(
    window: DeviceWindow,
    i: number,
    model: WindowScore | null,
    multivariate: WindowScore | null,
    served: LoadedModel,
    calibrating: boolean,
    out: { primary: (WindowScore | null)[]; sources: (ScoreSource | null)[]; covered: Coverage[] },
  ): void {
    const features = served.metadata.features;
    const modelled =
      multivariate === null ? [] : this.multivariate!.modelledMetrics(window.deviceId);
    if (model === null && multivariate === null) {
      if (calibrating || this.multivariate?.isLearning(window.deviceId)) out.covered[i] = GUARDED;
      return;
    }
    out.covered[i] = union(model === null ? [] : features, modelled);
    if (model === null) {
      out.primary[i] = multivariate;
      out.sources[i] = this.multivariateSource;
    } else {
      out.primary[i] =
        multivariate === null ? model : combine(model, null, multivariate, this.multivariateSource);
    }
  }

  /** A trained subspace model scores its devices itself (each calibrates it to itself first). */
  private scoreSubspace(
    model: SubspaceModel,
    window: DeviceWindow,
    i: number,
    primary: (WindowScore | null)[],
    covered: Coverage[],
  ): void {
    const score = model.detector.scoreOne(window);
    if (score === null) {
      if (model.detector.isLearning(window.deviceId)) covered[i] = GUARDED;
      return;
    }
    score.source = sourceOf(model);
    primary[i] = score;
    covered[i] = model.metadata.features;
  }

  /** The z-score on what the primary did not cover, combined with the primary's score. */
  private withFallback(
    windows: DeviceWindow[],
    primary: (WindowScore | null)[],
    sources: (ScoreSource | null)[],
    covered: Coverage[],
  ): (WindowScore | null)[] {
    const guarded = covered.map((c) => c === GUARDED);
    const fallback = this.fallback.scoreUncovered(
      windows,
      covered.map((c) => (c === GUARDED ? false : c)),
    );
    const source = {
      id: this.fallback.id,
      version: this.fallback.version,
      threshold: this.fallback.threshold,
    };
    const guard = { ...source, threshold: source.threshold * GUARD_FACTOR };
    return windows.map((_, i) => {
      const own =
        guarded[i] && fallback[i] !== null ? scaled(fallback[i]!, GUARD_FACTOR) : fallback[i];
      return combine(primary[i], sources[i], own, guarded[i] ? guard : source);
    });
  }

  private get multivariateSource(): ScoreSource {
    const { id, version, threshold, episode } = this.multivariate!;
    return (this.cachedMultivariateSource ??= episode
      ? { id, version, threshold, episode }
      : { id, version, threshold });
  }

  private routeOf(window: DeviceWindow, models: Map<string, ServedModel>): DeviceRoute {
    const known = this.devices.get(window.deviceId);
    if (known !== undefined && known.epoch === this.epoch) return known;
    const model = routeFor(window.profile ?? null, window.reading.values, models);
    const calibration = known?.calibration ?? new DeviceCalibration();
    let state: DeviceModelState | null = null;
    if (model !== null && !isSubspaceModel(model)) {
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

  private retire(model: ServedModel): void {
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
