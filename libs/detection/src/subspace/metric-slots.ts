/** Most metrics one device's multivariate model tracks (as many as a reading may carry). */
export const MAX_SLOTS = 64;
/** Slots allocated at first; doubled as a device sends more metrics (most send a handful). */
const INITIAL_SLOTS = 8;
/** The age of a metric never seen. */
const NEVER = 1 << 30;

/**
 * A device's metrics as a vector: one slot per metric name, in the order they first appeared,
 * holding the latest value. A metric missing from a reading keeps its last value for up to
 * `maxCarryForward` readings (firmware often sends some metrics less often than others); past
 * that it is stale, and the model imputes it instead of trusting an old value.
 */
export class MetricSlots {
  readonly names: string[] = [];
  private readonly index = new Map<string, number>();
  /** Latest value per slot (carried forward); read-only to callers. */
  values = new Float64Array(INITIAL_SLOTS);
  /** 1 for the slots the last reading itself carried. */
  seen = new Uint8Array(INITIAL_SLOTS);
  private previous = new Float64Array(INITIAL_SLOTS);
  /** Readings since each slot's metric was last seen. */
  private age = new Int32Array(INITIAL_SLOTS).fill(NEVER);
  private previousAge = new Int32Array(INITIAL_SLOTS).fill(NEVER);
  /** Metric names beyond MAX_SLOTS, seen and not tracked. */
  overflow = 0;

  constructor(private readonly maxCarryForward: number) {}

  /** Opens slots for `names` in this order before any value arrives (a model's features). */
  declare(names: readonly string[]): void {
    for (const name of names) {
      if (this.index.has(name) || this.names.length >= MAX_SLOTS) continue;
      this.open(name);
    }
  }

  /** Takes one reading in; returns how many new slots it opened. */
  take(reading: Record<string, number>): number {
    let added = 0;
    for (let j = 0; j < this.names.length; j++) {
      this.previous[j] = this.values[j];
      this.previousAge[j] = this.age[j];
      if (this.age[j] < NEVER) this.age[j]++;
      this.seen[j] = 0;
    }
    for (const name in reading) {
      const value = reading[name];
      if (!Number.isFinite(value)) continue;
      let j = this.index.get(name);
      if (j === undefined) {
        if (this.names.length >= MAX_SLOTS) {
          this.overflow++;
          continue;
        }
        j = this.open(name);
        added++;
      }
      this.values[j] = value;
      this.age[j] = 0;
      this.seen[j] = 1;
    }
    return added;
  }

  private open(name: string): number {
    const j = this.names.length;
    if (j >= this.values.length) this.grow(Math.min(MAX_SLOTS, 2 * this.values.length));
    this.names.push(name);
    this.index.set(name, j);
    return j;
  }

  private grow(capacity: number): void {
    const values = new Float64Array(capacity);
    values.set(this.values);
    const previous = new Float64Array(capacity);
    previous.set(this.previous);
    const seen = new Uint8Array(capacity);
    seen.set(this.seen);
    const age = new Int32Array(capacity).fill(NEVER);
    age.set(this.age);
    const previousAge = new Int32Array(capacity).fill(NEVER);
    previousAge.set(this.previousAge);
    this.values = values;
    this.previous = previous;
    this.seen = seen;
    this.age = age;
    this.previousAge = previousAge;
  }

  get size(): number {
    return this.names.length;
  }

  fresh(j: number): boolean {
    return this.age[j] <= this.maxCarryForward;
  }

  /** The step since the previous reading can be trusted: the metric is fresh now and was then. */
  freshStep(j: number): boolean {
    return this.fresh(j) && this.previousAge[j] <= this.maxCarryForward;
  }

  value(j: number): number {
    return this.values[j];
  }

  step(j: number): number {
    return this.values[j] - this.previous[j];
  }

  get bytes(): number {
    return (
      this.values.byteLength +
      this.seen.byteLength +
      this.previous.byteLength +
      this.age.byteLength +
      this.previousAge.byteLength
    );
  }
}
