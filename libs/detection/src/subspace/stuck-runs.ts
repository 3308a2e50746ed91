/** A metric that never held one value for more than this many readings while learning counts as noisy. */
const NOISY_MAX_RUN = 2;

/**
 * Stuck sensors: a metric whose value never repeated more than twice in a row while the device
 * was learning (a live, noisy signal) and now repeats one value for `stuckReadings` readings has
 * most likely frozen (a hung ADC, a valve fixed in place). Its score is run / stuckReadings.
 * Metrics that repeat by nature (states, quantised levels) are never judged this way.
 */
export class StuckRuns {
  private last = new Float64Array(0);
  private run = new Int32Array(0);
  private longestWhileLearning = new Int32Array(0);
  private learning = true;

  constructor(private readonly stuckReadings: number) {}

  /** Feeds the first `width` slots' values (present[j] = 1) of one reading. */
  observe(values: ArrayLike<number>, present: Uint8Array, width: number): void {
    if (width > this.run.length) this.grow(width);
    for (let j = 0; j < width; j++) {
      if (present[j] !== 1) continue;
      this.run[j] = values[j] === this.last[j] ? this.run[j] + 1 : 0;
      this.last[j] = values[j];
      if (this.learning && this.run[j] > this.longestWhileLearning[j]) {
        this.longestWhileLearning[j] = this.run[j];
      }
    }
  }

  private grow(width: number): void {
    const last = new Float64Array(width).fill(NaN);
    last.set(this.last);
    const run = new Int32Array(width);
    run.set(this.run);
    const longest = new Int32Array(width);
    longest.set(this.longestWhileLearning);
    this.last = last;
    this.run = run;
    this.longestWhileLearning = longest;
  }

  /** Learning is over: from now on runs are judged against what was seen until here. */
  freeze(): void {
    this.learning = false;
  }

  /** The highest run / stuckReadings over noisy metrics now stuck (≥ 1), else 0; `slot` gets its index. */
  score(slot: { index: number }): number {
    if (this.stuckReadings <= 0 || this.learning) return 0;
    let best = 0;
    for (let j = 0; j < this.run.length; j++) {
      if (this.longestWhileLearning[j] > NOISY_MAX_RUN || this.run[j] < this.stuckReadings)
        continue;
      const score = this.run[j] / this.stuckReadings;
      if (score > best) {
        best = score;
        slot.index = j;
      }
    }
    return best;
  }

  get bytes(): number {
    return this.last.byteLength + this.run.byteLength + this.longestWhileLearning.byteLength;
  }
}
