import { FeatureRow, featureRow, LearningBuffer } from './learning-buffer';
import { MetricSlots } from './metric-slots';
import { MonitorVerdict, SubspaceMonitor } from './subspace-monitor';
import { SubspaceBasis } from './subspace-basis';
import { SubspaceOptions } from './subspace-options';
import { StuckRuns } from './stuck-runs';

/** A fleet's fitted subspace (a trained model): its metric names and basis; each device recentres it. */
export interface FleetSubspace {
  features: readonly string[];
  basis: SubspaceBasis;
  /** Readings a device calibrates over: centre and scale from the first part, limits from the rest. */
  calibrationReadings: number;
}

/** One scored reading of a device: the monitor's verdict with what explains it (names, stuck metric). */
export type DeviceVerdict = MonitorVerdict;

/**
 * One device's multivariate model and how it gets there: learn (zero-config: fit on the first
 * part of its first readings, limits from the held-out rest, then refit on all) or calibrate a
 * fleet's subspace to it; then judge every reading. Metrics that appear later are learned into a
 * new model in the background while the current one keeps scoring.
 */
export class DeviceSubspace {
  private readonly slots: MetricSlots;
  private readonly stuck: StuckRuns;
  private modelled: number[] = [];
  private names: string[] = [];
  private monitor: SubspaceMonitor | null = null;
  private learning: LearningBuffer | null = null;
  private row: FeatureRow | null = null;
  private readonly stuckSlot = { index: -1 };
  private sinceCheck = 0;
  /** Readings taken before the first model was learned. */
  private observed = 0;

  constructor(
    private readonly options: SubspaceOptions,
    private readonly fleet: FleetSubspace | null = null,
  ) {
    this.slots = new MetricSlots(options.maxCarryForward);
    this.stuck = new StuckRuns(options.stuckReadings);
  }

  /** Still learning its first model from several metrics (a one-metric device never does). */
  /**
   * Within the first readings of its first learning (learnReadings, or a fleet model's
   * calibrationReadings), with several metrics: the time the router guards the device at a
   * coarse z-score. A fast device learns on for hours after that; the z-score judges it fully then.
   */
  get learningFirstReadings(): boolean {
    const first = this.fleet ? this.fleet.calibrationReadings : this.options.learnReadings;
    return this.monitor === null && this.slots.size >= 2 && this.observed <= first;
  }

  /** The metric names the model covers now (empty while learning). */
  get modelledNames(): readonly string[] {
    return this.names;
  }

  /** Takes a reading; its verdict, or null while learning or when too few modelled metrics are fresh. */
  observe(values: Record<string, number>, ts: number): DeviceVerdict | null {
    if (this.monitor === null) this.observed++;
    const added = this.slots.take(values);
    this.stuck.observe(this.slots.values, this.slots.seen, this.slots.size);
    // 150 readings tell a noisy metric from a quantised one: the stuck check need not wait for the
    // hours a fast device goes on learning its model.
    if (this.monitor === null && this.observed === this.options.learnReadings) this.stuck.freeze();
    if (this.learning === null && this.monitor === null) this.startLearning();
    else if (added > 0 && this.learning !== null && this.monitor === null) this.startLearning();
    const firstModel = this.monitor === null;
    if (this.learning !== null && this.learning.push(this.slots, ts)) this.finishLearning();
    // The reading that completes the first learning is part of it, not scored against it.
    if (firstModel) return this.stuckWhileLearning();
    this.checkForNewMetrics();
    return this.judge();
  }

  get bytes(): number {
    const learning = this.learning?.bytes ?? 0;
    return (
      this.slots.bytes +
      this.stuck.bytes +
      (this.monitor?.bytes ?? 0) +
      learning +
      8 * this.modelled.length
    );
  }

  private judge(): DeviceVerdict | null {
    const modelled = this.modelled;
    let fresh = 0;
    for (let i = 0; i < modelled.length; i++) if (this.slots.fresh(modelled[i])) fresh++;
    if (fresh < Math.max(2, Math.ceil(modelled.length / 2))) return null;
    this.row = featureRow(this.slots, modelled, this.row ?? undefined);
    const stuckScore = this.stuck.score(this.stuckSlot);
    const monitor = this.monitor!;
    const verdict = monitor.judge(this.row.x, this.row.present, stuckScore);
    // One object per reading: the monitor's verdict, completed with what explains it.
    verdict.names = this.names;
    verdict.stuck = verdict.statistic < 0 ? this.slots.names[this.stuckSlot.index] : null;
    return verdict;
  }

  /** Still learning: only a stuck metric (once runs are judged) gives a verdict, the stuck check's. */
  private stuckWhileLearning(): DeviceVerdict | null {
    const score = this.stuck.score(this.stuckSlot);
    if (score <= 0) return null;
    const name = this.slots.names[this.stuckSlot.index];
    return { names: [name], basis: null, stuck: name, score, statistic: -1, z: null, ewma: null };
  }

  private startLearning(): void {
    const candidates = this.fleet
      ? this.fleet.features.map((name) => this.slots.names.indexOf(name))
      : this.slots.names.map((_, j) => j);
    if (candidates.some((j) => j < 0)) return; // a fleet feature not seen yet
    const need = this.fleet ? this.fleet.calibrationReadings : this.options.learnReadings;
    this.learning = new LearningBuffer(candidates, need, this.options.learnDurationMs);
  }

  private finishLearning(): void {
    const rows = this.learning!.rows();
    const candidates = this.learning!.candidates;
    this.learning = null;
    this.stuck.freeze();
    const held = Math.round(rows.length * (1 - this.options.holdoutShare));
    const fitted = this.fleet
      ? this.fleet.basis.recentred(rows.slice(0, held).map((r) => r.x))
      : SubspaceBasis.fit(
          rows.slice(0, held).map((r) => r.x),
          this.options,
        );
    const calibrated = SubspaceMonitor.calibrated(fitted, rows.slice(held), this.options);
    // Zero-config: the limits stay those of the held-out readings; the basis learns from them all.
    this.monitor = this.fleet
      ? calibrated
      : calibrated.withBasis(
          SubspaceBasis.fit(
            rows.map((r) => r.x),
            this.options,
          ),
        );
    this.modelled = candidates;
    this.names = candidates.map((j) => this.slots.names[j]);
    this.row = null;
  }

  /** Metrics the model lacks that the device now sends in most readings: learn a wider model. */
  private checkForNewMetrics(): void {
    if (this.fleet || this.learning !== null || this.slots.size === this.modelled.length) return;
    if (++this.sinceCheck < this.options.learnReadings) return;
    this.sinceCheck = 0;
    const modelled = new Set(this.modelled);
    const added = this.slots.names
      .map((_, j) => j)
      .filter((j) => !modelled.has(j) && this.slots.fresh(j));
    if (added.length > 0) {
      this.learning = new LearningBuffer(
        [...this.modelled, ...added],
        this.options.learnReadings,
        this.options.learnDurationMs,
      );
    }
  }
}
