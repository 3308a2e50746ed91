import { MetricSlots } from './metric-slots';

/** A metric fresh in fewer than this share of learning readings is left out of the model. */
const MIN_FRESH_SHARE = 0.8;
/** Learning that has not filled after this many times its length drops its sparse metrics. */
const PATIENCE = 3;

export interface FeatureRow {
  x: Float64Array;
  present: Uint8Array;
}

/**
 * The readings a device learns its model from: feature rows over a set of candidate slots
 * (each slot's value and its step from the previous reading), kept only when every candidate is
 * fresh. A candidate that is stale too often (a metric sent now and then) is dropped after a
 * while, so a device whose firmware sends some metrics rarely still gets a model of the others.
 */
export class LearningBuffer {
  readonly rows: FeatureRow[] = [];
  private seen = 0;
  private fresh: Int32Array;

  constructor(
    public candidates: number[],
    private readonly need: number,
  ) {
    this.fresh = new Int32Array(candidates.length);
  }

  /** Takes the reading the slots now hold; true once `need` rows are in. */
  push(slots: MetricSlots): boolean {
    this.seen++;
    let complete = true;
    this.candidates.forEach((slot, i) => {
      if (slots.fresh(slot)) this.fresh[i]++;
      else complete = false;
    });
    if (complete) this.rows.push(featureRow(slots, this.candidates));
    if (this.rows.length >= this.need) return this.dropSparse() === 0;
    if (this.seen >= PATIENCE * this.need) this.dropSparse();
    return false;
  }

  /**
   * Leaves out the candidates stale in too many readings; when it leaves any out (or learning
   * went on too long), starts over without them. Returns how many it left out.
   */
  private dropSparse(): number {
    const before = this.candidates.length;
    this.candidates = this.candidates.filter(
      (_, i) => this.fresh[i] >= MIN_FRESH_SHARE * this.seen,
    );
    const dropped = before - this.candidates.length;
    if (dropped === 0 && this.rows.length >= this.need) return 0;
    this.rows.length = 0;
    this.seen = 0;
    this.fresh = new Int32Array(this.candidates.length);
    return dropped;
  }
}

/** The feature vector of `modelled` slots: each value, then each step; present flags which to trust. */
export function featureRow(
  slots: MetricSlots,
  modelled: readonly number[],
  into?: FeatureRow,
): FeatureRow {
  const s = modelled.length;
  const row = into ?? { x: new Float64Array(2 * s), present: new Uint8Array(2 * s) };
  for (let i = 0; i < s; i++) {
    const slot = modelled[i];
    const fresh = slots.fresh(slot);
    const step = slots.freshStep(slot);
    row.x[i] = fresh ? slots.value(slot) : 0;
    row.present[i] = fresh ? 1 : 0;
    row.x[s + i] = step ? slots.step(slot) : 0;
    row.present[s + i] = step ? 1 : 0;
  }
  return row;
}

/**
 * The feature rows a device's readings give a model over `features`, exactly as the gateway
 * builds them (carry-forward, steps, only rows where every feature is fresh): what the trainer
 * fits a fleet's subspace to.
 */
export function featureRowsOf(
  readings: readonly { values: Record<string, number> }[],
  features: readonly string[],
  maxCarryForward: number,
): Float64Array[] {
  const slots = new MetricSlots(maxCarryForward);
  slots.declare(features);
  const modelled = features.map((_, j) => j);
  const rows: Float64Array[] = [];
  for (const { values } of readings) {
    const only: Record<string, number> = {};
    for (const name of features) if (values[name] !== undefined) only[name] = values[name];
    slots.take(only);
    if (modelled.every((j) => slots.fresh(j))) rows.push(featureRow(slots, modelled).x);
  }
  return rows;
}
