import { AdaptiveLimits } from '../calibration/adaptive-limits';
import { LogLimitState } from '../calibration/log-limit';
import { SubspaceBasis } from './subspace-basis';
import { SubspaceOptions } from './subspace-options';

/** The statistics a reading is judged by, in the order of every array here. */
export const STATISTICS = [
  'T2',
  'SPE',
  'residual-T2',
  'max-z',
  'T2-ewma',
  'SPE-ewma',
  'residual-T2-ewma',
  'max-z-ewma',
] as const;
/** The basis adapts on every this-many-th reading judged normal (see judge()). */
const ADAPT_EVERY = 4;
/** Statistics per vector (the reading's, then its EWMA's). */
export const PER_VECTOR = 4;
const COUNT = STATISTICS.length;

const NO_NAMES: readonly string[] = [];

/** One judged reading. `z`/`ewma` are copies, kept only for readings over the threshold. */
export interface MonitorVerdict {
  /** Filled in by the device (DeviceVerdict): the model's metric names in feature order. */
  names: readonly string[];
  /** null for a stuck-only verdict while the device still learns. */
  basis: SubspaceBasis | null;
  /** The stuck metric's name when the stuck check gave the score (filled in by the device). */
  stuck: string | null;
  /** max over the statistics of value / limit (1.0 = threshold). */
  score: number;
  /** Which statistic gave it (index into STATISTICS). */
  statistic: number;
  z: Float64Array | null;
  ewma: Float64Array | null;
}

/**
 * Judges readings against a fitted basis: Hotelling's T², the SPE and the largest single z² of
 * the standardised vector, and the same three of its EWMA (MEWMA: small persistent shifts that
 * single readings hide), each against its own limit. Readings judged normal, once the device has
 * been quiet for a while, keep the limits and the basis current; anything in or right after an
 * alarm is never learned, so an ongoing episode cannot become the new normal.
 */
export class SubspaceMonitor {
  private readonly z: Float64Array;
  private readonly ewma: Float64Array;
  private readonly values = new Float64Array(COUNT);
  private readonly zScores: Float64Array;
  private readonly ewmaScores: Float64Array;
  private ewmaStarted = false;
  private ewmaGeneration = -1;
  private adapted = 0;
  private quietCount = 0;

  constructor(
    readonly basis: SubspaceBasis,
    private readonly limits: AdaptiveLimits,
    private readonly options: SubspaceOptions,
  ) {
    this.z = new Float64Array(basis.width);
    this.ewma = new Float64Array(basis.width);
    this.zScores = new Float64Array(basis.width);
    this.ewmaScores = new Float64Array(basis.width);
  }

  /** Limits learned from held-out rows (the fit has not seen them). */
  static calibrated(
    basis: SubspaceBasis,
    rows: readonly { x: Float64Array; present: Uint8Array }[],
    options: SubspaceOptions,
  ): SubspaceMonitor {
    const limits = new AdaptiveLimits(COUNT, {
      sigmas: options.limitSigmas,
      weight: options.limitWeight,
      quietBefore: options.quietBeforeAdapt,
    });
    const monitor = new SubspaceMonitor(basis, limits, options);
    for (const { x, present } of rows) limits.seed(monitor.measure(x, present));
    return monitor;
  }

  /** A monitor on another basis (a refit) with these limits; its EWMA starts again. */
  withBasis(basis: SubspaceBasis): SubspaceMonitor {
    return new SubspaceMonitor(basis, this.limits, this.options);
  }

  limitStates(): LogLimitState[] {
    return this.limits.states();
  }

  /** The statistics of a reading (shared buffer, valid until the next call). */
  measure(x: ArrayLike<number>, present: Uint8Array): Float64Array {
    const { z, ewma, zScores, ewmaScores, basis } = this;
    basis.standardize(x, present, z);
    basis.project(z, zScores);
    const weight = this.options.ewmaWeight;
    const m = basis.dimensions;
    if (!this.ewmaStarted) {
      ewma.set(z);
      ewmaScores.set(zScores);
      this.ewmaStarted = true;
    } else {
      const clip = this.options.ewmaClip;
      let clipped = false;
      for (let j = 0; j < z.length; j++) {
        let zj = z[j];
        if (zj > clip || zj < -clip) {
          zj = zj > 0 ? clip : -clip;
          clipped = true;
        }
        ewma[j] = weight * zj + (1 - weight) * ewma[j];
      }
      if (clipped || basis.generation !== this.ewmaGeneration) basis.project(ewma, ewmaScores);
      // Projection is linear: the EWMA of the coordinates is the coordinates of the EWMA.
      else
        for (let c = 0; c < m; c++)
          ewmaScores[c] = weight * zScores[c] + (1 - weight) * ewmaScores[c];
    }
    this.ewmaGeneration = basis.generation;
    basis.statisticsOf(z, zScores, this.values, 0);
    basis.statisticsOf(ewma, ewmaScores, this.values, PER_VECTOR);
    // The EWMA of a unit-variance series has variance w / (2 - w): rescale to the raw units.
    const inflation = (2 - weight) / weight;
    for (let i = PER_VECTOR; i < COUNT; i++) this.values[i] *= inflation;
    if (!this.options.residualT2) this.values[2] = this.values[2 + PER_VECTOR] = 0;
    return this.values;
  }

  /** Judges a reading; `extra` is a score from outside the statistics (a stuck metric) that joins the max. */
  judge(x: ArrayLike<number>, present: Uint8Array, extra: number): MonitorVerdict {
    const { score, statistic, learned } = this.limits.judge(this.measure(x, present), extra);
    const over = score > 1;
    const verdict: MonitorVerdict = {
      names: NO_NAMES,
      basis: this.basis,
      stuck: null,
      score,
      statistic,
      z: over ? this.z.slice() : null,
      ewma: over ? this.ewma.slice() : null,
    };
    if (learned) {
      // The centre follows every quietly normal reading (levels drift with the day); the relation
      // between features, costlier and slower, every ADAPT_EVERY-th with as much more weight.
      if (this.options.centreWeight > 0)
        this.basis.adaptCentre(x, present, this.options.centreWeight);
      if (++this.quietCount % ADAPT_EVERY === 0) this.adaptRelations();
    }
    return verdict;
  }

  get bytes(): number {
    return (
      this.basis.bytes +
      this.z.byteLength +
      this.ewma.byteLength +
      this.zScores.byteLength +
      this.ewmaScores.byteLength +
      this.values.byteLength +
      this.limits.bytes
    );
  }

  /** The same slow EWMA of the covariance for a quarter of the O(width²) updates. */
  private adaptRelations(): void {
    if (this.options.adaptWeight <= 0) return;
    this.basis.adaptCovariance(this.z, this.options.adaptWeight * ADAPT_EVERY);
    if (++this.adapted >= this.options.refreshEvery / ADAPT_EVERY) {
      this.adapted = 0;
      this.basis.refresh();
    }
  }
}
