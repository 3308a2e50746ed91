import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { resolutionOf } from '../zscore/metric-baseline';

export interface BasisOptions {
  /** Principal components kept: the fewest that explain this share of the variance. */
  explainedVariance: number;
  /** Off-diagonal covariance shrunk by this share before the eigen decomposition (few readings, many metrics). */
  shrinkage: number;
}

/** A feature whose learning values all equal each other: scored by its deviation alone (in SPE). */
const CONSTANT_TOLERANCE = 1e-12;
/** Eigenvalues are floored here, so a direction that never varied cannot divide by zero. */
const MIN_EIGENVALUE = 1e-6;
/** A device's own scale never falls below this share of the fleet's (one quiet calibration day). */
const MIN_SCALE_RATIO = 0.05;

/** The learned state a basis can be rebuilt from (a trained model's `subspace.json`). */
export interface BasisState {
  center: number[];
  scale: number[];
  constant: boolean[];
  /** Covariance of the standardised varying features, packed upper triangle, row by row. */
  covariance: number[];
}

/**
 * The normal joint behaviour of a feature vector: each feature's centre and scale, and the
 * principal subspace of the standardised varying features (streaming PCA's basis). Hotelling's T²
 * measures how far a reading is inside the subspace, the squared prediction error (SPE, Q) how far
 * it is off it: a change in the relation between metrics that no single metric's z can see.
 */
export class SubspaceBasis {
  readonly width: number;
  private readonly center: Float64Array;
  private readonly scale: Float64Array;
  private readonly varying: Int32Array;
  private readonly constant: Int32Array;
  private readonly covariance: Float64Array;
  /** Every eigenvector (the kept components first, by falling eigenvalue), row by row. */
  private basis = new Float32Array(0);
  private eigenvalues = new Float64Array(0);
  private components = 0;
  private refreshes = 0;

  private constructor(
    state: {
      center: Float64Array;
      scale: Float64Array;
      constant: boolean[];
      covariance: Float64Array;
    },
    private readonly options: BasisOptions,
  ) {
    this.width = state.center.length;
    this.center = state.center;
    this.scale = state.scale;
    const varying: number[] = [];
    const constant: number[] = [];
    state.constant.forEach((isConstant, j) => (isConstant ? constant : varying).push(j));
    this.varying = Int32Array.from(varying);
    this.constant = Int32Array.from(constant);
    this.covariance = state.covariance;
    this.refresh();
  }

  /** Fits centre, scale and subspace to learning rows (all of equal width). */
  static fit(rows: readonly Float64Array[], options: BasisOptions): SubspaceBasis {
    const { center, scale, constant } = columnStatistics(rows, null);
    const basis = new SubspaceBasis(
      { center, scale, constant, covariance: new Float64Array(0) },
      options,
    );
    return basis.withCovarianceOf(rows);
  }

  /**
   * Fits a fleet's basis: centre and scale over every device's rows (kept for reference and as
   * the scale floors a device is recentred with), the covariance from each device's own
   * standardised values, so differences between devices' levels never pass for a relation.
   */
  static fitFleet(
    devices: readonly (readonly Float64Array[])[],
    options: BasisOptions,
  ): SubspaceBasis {
    const pooled = devices.flat();
    const { center, scale, constant } = columnStatistics(pooled, null);
    const draft = new SubspaceBasis(
      { center, scale, constant, covariance: new Float64Array(0) },
      options,
    );
    const v = draft.varying;
    const packed = new Float64Array((v.length * (v.length + 1)) / 2);
    for (const rows of devices) {
      if (rows.length === 0) continue;
      const own = new SubspaceBasis(
        { ...columnStatistics(rows, scale), constant, covariance: new Float64Array(0) },
        options,
      );
      own.accumulateCovariance(rows, v, packed, pooled.length);
    }
    return new SubspaceBasis({ center, scale, constant, covariance: packed }, options);
  }

  static restore(state: BasisState, options: BasisOptions): SubspaceBasis {
    return new SubspaceBasis(
      {
        center: Float64Array.from(state.center),
        scale: Float64Array.from(state.scale),
        constant: state.constant,
        covariance: Float64Array.from(state.covariance),
      },
      options,
    );
  }

  /**
   * The same subspace for a device whose normal sits elsewhere: centre and scale from its own
   * readings, the relation between features (the covariance of standardised values) from the fleet.
   */
  recentred(rows: readonly Float64Array[]): SubspaceBasis {
    const own = columnStatistics(rows, this.scale);
    return new SubspaceBasis(
      {
        center: own.center,
        scale: own.scale,
        constant: Array.from({ length: this.width }, (_, j) => this.isConstant(j)),
        covariance: this.covariance.slice(),
      },
      this.options,
    );
  }

  state(): BasisState {
    return {
      center: Array.from(this.center),
      scale: Array.from(this.scale),
      constant: Array.from({ length: this.width }, (_, j) => this.isConstant(j)),
      covariance: Array.from(this.covariance),
    };
  }

  get componentCount(): number {
    return this.components;
  }

  /** (x - centre) / scale into `out`; features with present[j] = 0 are imputed at the centre (z = 0). */
  standardize(x: ArrayLike<number>, present: Uint8Array, out: Float64Array): void {
    for (let j = 0; j < this.width; j++) {
      out[j] = present[j] === 1 ? (x[j] - this.center[j]) / this.scale[j] : 0;
    }
  }

  /** The coordinates of standardised `z` on every eigenvector (O(width²)): what statisticsOf() reads. */
  project(z: Float64Array, scores: Float64Array): void {
    const v = this.varying;
    const m = v.length;
    const basis = this.basis;
    for (let c = 0; c < m; c++) {
      let s = 0;
      const row = c * m;
      for (let i = 0; i < m; i++) s += basis[row + i] * z[v[i]];
      scores[c] = s;
    }
  }

  /**
   * Four statistics of standardised `z`, whose coordinates project() gave, into
   * out[offset..offset+3]: Hotelling's T² on the kept components, the SPE (Q) off them, the
   * residual T² (the same distance with each residual direction scaled by its own small variance:
   * a broken relation between two tightly coupled metrics stands out there even when the SPE, in
   * absolute units, hides it among noisier directions), and the largest single z².
   */
  statisticsOf(z: Float64Array, scores: Float64Array, out: Float64Array, offset: number): void {
    const v = this.varying;
    const m = v.length;
    const k = this.components;
    let t2 = 0;
    let kept = 0;
    let residualT2 = 0;
    for (let c = 0; c < m; c++) {
      const s2 = scores[c] * scores[c];
      if (c < k) {
        t2 += s2 / this.eigenvalues[c];
        kept += s2;
      } else {
        residualT2 += s2 / this.eigenvalues[c];
      }
    }
    // The eigenvectors are orthonormal: what is off the kept components is |z|² minus what is on them.
    let norm = 0;
    for (let i = 0; i < m; i++) norm += z[v[i]] * z[v[i]];
    let spe = Math.max(0, norm - kept);
    for (let i = 0; i < this.constant.length; i++) spe += z[this.constant[i]] ** 2;
    let maxZ = 0;
    for (let j = 0; j < this.width; j++) maxZ = Math.max(maxZ, z[j] * z[j]);
    out[offset] = t2;
    out[offset + 1] = spe;
    out[offset + 2] = residualT2;
    out[offset + 3] = maxZ;
  }

  /** Coordinates per vector: one per varying feature. */
  get dimensions(): number {
    return this.varying.length;
  }

  /** Bumped by every refresh(): coordinates taken before it are on other eigenvectors. */
  get generation(): number {
    return this.refreshes;
  }

  /** Each feature's part of statistic 0 (T²), 1 (SPE), 2 (residual T²) or 3 (max z²) of `z`; ≥ 0, not normalised. */
  parts(statistic: number, z: Float64Array): Float64Array {
    const parts = new Float64Array(this.width);
    if (statistic === 3) {
      for (let j = 0; j < this.width; j++) parts[j] = z[j] * z[j];
      return parts;
    }
    const v = this.varying;
    const m = v.length;
    const k = this.components;
    const [from, to] = statistic === 0 ? [0, k] : [k, m];
    const scores = new Float64Array(m);
    for (let c = 0; c < m; c++) {
      for (let i = 0; i < m; i++) scores[c] += this.basis[c * m + i] * z[v[i]];
    }
    for (let i = 0; i < m; i++) {
      let projected = 0;
      let weighted = 0;
      for (let c = 0; c < m; c++) {
        const p = this.basis[c * m + i];
        if (c < k) projected += p * scores[c];
        if (c >= from && c < to) weighted += (p * scores[c]) / this.eigenvalues[c];
      }
      const residual = z[v[i]] - projected;
      parts[v[i]] = statistic === 1 ? residual * residual : Math.max(0, z[v[i]] * weighted);
    }
    if (statistic === 1) for (const j of this.constant) parts[j] = z[j] * z[j];
    return parts;
  }

  /** Moves each varying feature's centre toward a reading judged normal, by `weight` (an EWMA). */
  adaptCentre(x: ArrayLike<number>, present: Uint8Array, weight: number): void {
    const v = this.varying;
    for (let i = 0; i < v.length; i++) {
      const j = v[i];
      if (present[j] === 1) this.center[j] += weight * (x[j] - this.center[j]);
    }
  }

  /**
   * Moves the covariance toward a reading judged normal (its standardised `z`), by `weight` (a
   * slow EWMA), so the relation between features follows seasons and ageing; refresh()
   * re-derives the components from it.
   */
  adaptCovariance(z: Float64Array, weight: number): void {
    const v = this.varying;
    let at = 0;
    for (let a = 0; a < v.length; a++) {
      const za = z[v[a]];
      for (let b = a; b < v.length; b++, at++) {
        this.covariance[at] += weight * (za * z[v[b]] - this.covariance[at]);
      }
    }
  }

  /** Re-derives the principal components from the covariance (an eigen decomposition, O(width³)). */
  refresh(): void {
    this.refreshes++;
    const m = this.varying.length;
    // No covariance yet (fit() standardises with a basis under construction) or nothing varies.
    if (m === 0 || this.covariance.length !== (m * (m + 1)) / 2) {
      this.components = 0;
      return;
    }
    const matrix = new Matrix(m, m);
    let at = 0;
    for (let a = 0; a < m; a++) {
      for (let b = a; b < m; b++, at++) {
        const value =
          a === b ? this.covariance[at] : this.covariance[at] * (1 - this.options.shrinkage);
        matrix.set(a, b, value);
        matrix.set(b, a, value);
      }
    }
    const eigen = new EigenvalueDecomposition(matrix, { assumeSymmetric: true });
    const values = eigen.realEigenvalues;
    const vectors = eigen.eigenvectorMatrix;
    const order = values.map((_, i) => i).sort((a, b) => values[b] - values[a]);
    const total = values.reduce((sum, value) => sum + Math.max(0, value), 0);
    let explained = 0;
    let k = 0;
    while (k < m && explained < this.options.explainedVariance * total) {
      explained += Math.max(0, values[order[k]]);
      k++;
    }
    this.components = k;
    this.basis = new Float32Array(m * m);
    this.eigenvalues = new Float64Array(m);
    for (let c = 0; c < m; c++) {
      this.eigenvalues[c] = Math.max(values[order[c]], MIN_EIGENVALUE);
      for (let i = 0; i < m; i++) this.basis[c * m + i] = vectors.get(i, order[c]);
    }
  }

  /** Bytes of the typed arrays this basis holds (the state figure the README states). */
  get bytes(): number {
    return (
      this.center.byteLength +
      this.scale.byteLength +
      this.varying.byteLength +
      this.constant.byteLength +
      this.covariance.byteLength +
      this.basis.byteLength +
      this.eigenvalues.byteLength
    );
  }

  private isConstant(j: number): boolean {
    return this.constant.includes(j);
  }

  private withCovarianceOf(rows: readonly Float64Array[]): SubspaceBasis {
    const v = this.varying;
    const packed = new Float64Array((v.length * (v.length + 1)) / 2);
    this.accumulateCovariance(rows, v, packed, rows.length);
    return new SubspaceBasis(
      {
        center: this.center,
        scale: this.scale,
        constant: Array.from({ length: this.width }, (_, j) => this.isConstant(j)),
        covariance: packed,
      },
      this.options,
    );
  }

  /** Adds Σ z_a z_b / total over `rows`, standardised with this basis, for the features `v`. */
  private accumulateCovariance(
    rows: readonly Float64Array[],
    v: Int32Array,
    packed: Float64Array,
    total: number,
  ): void {
    const z = new Float64Array(this.width);
    const all = new Uint8Array(this.width).fill(1);
    for (const row of rows) {
      this.standardize(row, all, z);
      let at = 0;
      for (let a = 0; a < v.length; a++) {
        for (let b = a; b < v.length; b++, at++) packed[at] += (z[v[a]] * z[v[b]]) / total;
      }
    }
  }
}

/**
 * Mean and population standard deviation per column. Scale floors: half the resolution the
 * values are written with (a quantised sensor), a hair relative to the level, and (`fleetScale`
 * given) a share of the fleet's scale; a column whose values are all equal is constant.
 */
function columnStatistics(
  rows: readonly Float64Array[],
  fleetScale: Float64Array | null,
): { center: Float64Array; scale: Float64Array; constant: boolean[] } {
  const width = rows[0].length;
  const center = new Float64Array(width);
  const scale = new Float64Array(width);
  const constant: boolean[] = [];
  const column = new Array<number>(rows.length);
  for (let j = 0; j < width; j++) {
    let sum = 0;
    for (let r = 0; r < rows.length; r++) sum += column[r] = rows[r][j];
    const mean = sum / rows.length;
    let squares = 0;
    for (const value of column) squares += (value - mean) ** 2;
    const sd = Math.sqrt(squares / rows.length);
    const floor = Math.max(1e-9, 1e-6 * Math.abs(mean), resolutionOf(column) / 2);
    center[j] = mean;
    constant.push(sd <= CONSTANT_TOLERANCE * (1 + Math.abs(mean)));
    scale[j] = constant[j] && fleetScale === null ? floor : Math.max(sd, floor);
    if (fleetScale !== null) scale[j] = Math.max(scale[j], MIN_SCALE_RATIO * fleetScale[j]);
  }
  return { center, scale, constant };
}
