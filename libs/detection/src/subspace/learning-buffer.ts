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
  /** Rows packed one after another (a typed array per row would cost more in headers than data). */
  private x: Float64Array;
  private present: Uint8Array;
  private count = 0;
  private seen = 0;
  private fresh: Int32Array;
  private firstTs = NaN;
  private stride = 1;
  private sinceKept = 0;
  private readonly scratch: FeatureRow;

  constructor(
    public candidates: number[],
    private readonly need: number,
    private readonly durationMs = 0,
  ) {
    this.fresh = new Int32Array(candidates.length);
    const width = 2 * candidates.length;
    this.x = new Float64Array(width * Math.min(need, 16));
    this.present = new Uint8Array(width * Math.min(need, 16));
    this.scratch = { x: new Float64Array(width), present: new Uint8Array(width) };
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
      this.keep(featureRow(slots, this.candidates, this.scratch));
      if (this.count >= 2 * this.need) this.thin();
    }
    if (this.count >= this.need && ts - this.firstTs >= this.durationMs) {
      return this.dropSparse() === 0;
    }
    if (this.seen >= PATIENCE * this.need * this.stride && this.count < this.need / 2) {
      this.dropSparse();
    }
    return false;
  }

  /** The rows learned, oldest first (views into the buffer). */
  rows(): FeatureRow[] {
    const width = 2 * this.candidates.length;
    return Array.from({ length: this.count }, (_, r) => ({
      x: this.x.subarray(r * width, (r + 1) * width),
      present: this.present.subarray(r * width, (r + 1) * width),
    }));
  }

  get bytes(): number {
    return this.x.byteLength + this.present.byteLength + this.fresh.byteLength;
  }

  private keep(row: FeatureRow): void {
    const width = row.x.length;
    if ((this.count + 1) * width > this.x.length) {
      const grown = Math.min(2 * this.need, 2 * Math.max(1, this.x.length / width)) * width;
      const x = new Float64Array(grown);
      const present = new Uint8Array(grown);
      x.set(this.x);
      present.set(this.present);
      this.x = x;
      this.present = present;
    }
    this.x.set(row.x, this.count * width);
    this.present.set(row.present, this.count * width);
    this.count++;
  }

  /** Keeps every second row (the odd ones, in place) and from now on every stride-th reading. */
  private thin(): void {
    const width = 2 * this.candidates.length;
    let kept = 0;
    for (let r = 1; r < this.count; r += 2, kept++) {
      this.x.copyWithin(kept * width, r * width, (r + 1) * width);
      this.present.copyWithin(kept * width, r * width, (r + 1) * width);
    }
    this.count = kept;
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
    if (dropped === 0 && this.count >= this.need) return 0;
    const width = 2 * this.candidates.length;
    this.x = new Float64Array(width * Math.min(this.need, 16));
    this.present = new Uint8Array(width * Math.min(this.need, 16));
    this.scratch.x = new Float64Array(width);
    this.scratch.present = new Uint8Array(width);
    this.count = 0;
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
