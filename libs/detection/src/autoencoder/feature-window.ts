/** What push() did with a reading. */
export type PushResult = 'complete' | 'carried' | 'missing';

/**
 * The sliding window of one device over a model's features, in raw units: a ring of the last
 * `windowSize` readings. A feature missing from a reading takes its last value if that is at most
 * `maxCarryForward` readings old; otherwise the row is marked missing, and no window holding it is
 * scored until it slides out.
 */
export class FeatureWindow {
  private readonly values: Float64Array;
  private readonly rowMissing: Uint8Array;
  private readonly last: Float64Array;
  /** Readings since each feature was last seen (Infinity: never). */
  private readonly age: Float64Array;
  private head = 0;
  private filled = 0;
  private missingRows = 0;
  /**
   * The window normalised with the scaling given to scaleWith(), each row stored twice (at row
   * and row + windowSize), so the window oldest-first is always one contiguous run to copy.
   */
  private scaled: Float32Array | null = null;
  private mean: ArrayLike<number> = [];
  private std: ArrayLike<number> = [];

  constructor(
    readonly features: readonly string[],
    readonly windowSize: number,
    private readonly maxCarryForward: number,
  ) {
    this.values = new Float64Array(windowSize * features.length);
    this.rowMissing = new Uint8Array(windowSize);
    this.last = new Float64Array(features.length);
    this.age = new Float64Array(features.length).fill(Infinity);
  }

  push(reading: Record<string, number>): PushResult {
    const f = this.features.length;
    const row = this.head;
    if (this.filled === this.windowSize && this.rowMissing[row] === 1) this.missingRows--;
    let result: PushResult = 'complete';
    for (let i = 0; i < f; i++) {
      const value = reading[this.features[i]];
      if (value !== undefined && Number.isFinite(value)) {
        this.last[i] = value;
        this.age[i] = 0;
      } else {
        this.age[i]++;
        if (this.age[i] > this.maxCarryForward) result = 'missing';
        else if (result === 'complete') result = 'carried';
      }
      this.values[row * f + i] = this.last[i];
    }
    if (this.scaled !== null) this.scaleRow(row);
    this.rowMissing[row] = result === 'missing' ? 1 : 0;
    if (result === 'missing') this.missingRows++;
    this.head = (row + 1) % this.windowSize;
    this.filled = Math.min(this.filled + 1, this.windowSize);
    return result;
  }

  /** Full, and no row in it has a metric missing beyond the carry-forward bound. */
  get ready(): boolean {
    return this.filled === this.windowSize && this.missingRows === 0;
  }

  /** The newest raw value of each feature (carried forward when missing). */
  latest(): Float64Array {
    return this.last;
  }

  /** Writes the window oldest-first, normalised as (x - mean) / std, into out[offset...]. */
  copyNormalized(
    out: Float32Array,
    offset: number,
    mean: ArrayLike<number>,
    std: ArrayLike<number>,
  ): void {
    const f = this.features.length;
    for (let t = 0; t < this.windowSize; t++) {
      const row = (this.head + t) % this.windowSize; // head is the oldest row once full
      for (let i = 0; i < f; i++) {
        out[offset + t * f + i] = (this.values[row * f + i] - mean[i]) / std[i];
      }
    }
  }

  /**
   * Keeps the window normalised as (x - mean) / std from now on (the rows held are normalised
   * now), so copyScaled() is a plain copy: scaling a model's device is fixed once it is known.
   */
  scaleWith(mean: ArrayLike<number>, std: ArrayLike<number>): void {
    this.mean = mean;
    this.std = std;
    this.scaled ??= new Float32Array(2 * this.windowSize * this.features.length);
    for (let row = 0; row < this.windowSize; row++) this.scaleRow(row);
  }

  /** Stops keeping the normalised copy (a new model brings its own scaling). */
  unscale(): void {
    this.scaled = null;
  }

  /** Whether scaleWith() is in force. */
  get isScaled(): boolean {
    return this.scaled !== null;
  }

  /** Same as copyNormalized() with the scaleWith() scaling, as one contiguous copy. */
  copyScaled(out: Float32Array, offset: number): void {
    const scaled = this.scaled!;
    const length = this.windowSize * this.features.length;
    const start = this.head * this.features.length; // head is the oldest row once full
    for (let k = 0; k < length; k++) out[offset + k] = scaled[start + k];
  }

  private scaleRow(row: number): void {
    const f = this.features.length;
    const scaled = this.scaled!;
    const twin = this.windowSize * f;
    for (let i = 0; i < f; i++) {
      const value = (this.values[row * f + i] - this.mean[i]) / this.std[i];
      scaled[row * f + i] = value;
      scaled[twin + row * f + i] = value;
    }
  }

  /** Same features and window size: the window carries over a model swap unchanged. */
  fits(features: readonly string[], windowSize: number): boolean {
    return (
      windowSize === this.windowSize &&
      features.length === this.features.length &&
      features.every((name, i) => name === this.features[i])
    );
  }
}
