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
 * fresh, until there are `need` rows spanning at least `durationMs` of the device's own time. A
 * fast device's rows are thinned (every second one kept, then every fourth...), so the buffer
 * stays under 2 x `need` rows however long that takes. A candidate that is stale too often (a
 * metric sent now and then) is left out, so a device whose firmware sends some metrics rarely
 * still gets a model of the others.
 */
export class LearningBuffer {
  rows: FeatureRow[] = [];
  private seen = 0;
  private fresh: Int32Array;
  private firstTs = NaN;
  private stride = 1;
  private sinceKept = 0;

  constructor(
    public candidates: number[],
    private readonly need: number,
    private readonly durationMs = 0,
  ) {
    this.fresh = new Int32Array(candidates.length);
  }

  /** Takes the reading the slots now hold (at `ts`); true once learning is complete. */
  push(slots: MetricSlots, ts: number): boolean {
    this.seen++;
    if (Number.isNaN(this.firstTs)) this.firstTs = ts;
    let complete = true;
    this.candidates.forEach((slot, i) => {
      if (slots.fresh(slot)) this.fresh[i]++;
      else complete = false;
    });
    if (complete && ++this.sinceKept >= this.stride) {
      this.sinceKept = 0;
      this.rows.push(featureRow(slots, this.candidates));
      if (this.rows.length >= 2 * this.need) this.thin();
    }
    if (this.rows.length >= this.need && ts - this.firstTs >= this.durationMs) {
      return this.dropSparse() === 0;
    }
    if (this.seen >= PATIENCE * this.need * this.stride && this.rows.length < this.need / 2) {
      this.dropSparse();
    }
    return false;
  }

  private thin(): void {
    this.rows = this.rows.filter((_, i) => i % 2 === 1);
    this.stride *= 2;
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
    this.rows = [];
    this.seen = 0;
    this.firstTs = NaN;
    this.stride = 1;
    this.sinceKept = 0;
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
