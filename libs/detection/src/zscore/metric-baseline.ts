/** EWMA weight of the level: follows slow drift over roughly the last 50 readings. */
export const LEVEL_ALPHA = 0.02;
/** EWMA weight of the scale: slower than the level, so a short burst neither shrinks nor swells it. */
export const SCALE_ALPHA = 0.01;
/** Updates from a value further out than this many sigmas are winsorised to it. */
export const CLIP_SIGMAS = 3;
/** Learning values kept for the median/MAD seed; a longer learning period goes on by EWMA. */
export const MAX_SEED_VALUES = 64;
/**
 * Sigma never goes below max(ABS_FLOOR, REL_FLOOR * |level|, resolution / 2). A flat signal has
 * sigma 0, and without a floor its first change scores Infinity. Most flat signals are quantised
 * (integers, one decimal), so half the resolution seen while learning is the natural floor: one
 * quantum of change is then z = 2, not a critical alarm. The relative part sits near float32
 * resolution, so precise sensors (101325 Pa with 1 Pa noise) keep their sensitivity.
 */
export const ABS_FLOOR = 1e-9;
export const REL_FLOOR = 1e-6;
/** Most decimals considered when inferring a metric's resolution; beyond this it is float noise. */
const MAX_DECIMALS = 12;
/**
 * An update that had to be clipped counts this much of a normal one: a rare outlier barely moves
 * the baseline, and a sustained shift becomes the new normal over ~100 readings, not ~15.
 */
export const OUTLIER_WEIGHT = 0.25;
/** z is capped here: beyond it every value is equally impossible and the number only misleads. */
export const MAX_Z = 1000;

const MAD_TO_SIGMA = 1.4826;
const MEAN_ABS_TO_SIGMA = Math.sqrt(Math.PI / 2);

export interface BaselineSnapshot {
  level: number;
  sigma: number;
  /** Values absorbed so far (learning included). */
  count: number;
  learning: boolean;
}

/**
 * A robust streaming baseline of one metric: a few numbers once learned.
 * Learning seeds level and sigma from the median and a winsorised absolute deviation; after that an
 * EWMA of the level and of the absolute deviation, each fed a value clipped at CLIP_SIGMAS, so a
 * spike or a stuck fault cannot drag the baseline (a sustained shift is absorbed only gradually).
 */
export class MetricBaseline {
  private seed: number[] | null = [];
  private count = 0;
  private level = 0;
  private sigma = 0;
  private resolution = 0;

  constructor(private readonly learnReadings: number) {}

  /** Robust z of x against the baseline as it was before x; null while still learning. */
  observe(x: number): number | null {
    if (this.seed !== null) {
      this.learn(x);
      return null;
    }
    const z = this.count >= this.learnReadings ? this.z(x) : null;
    this.absorb(x);
    return z;
  }

  /** Takes x into the baseline without scoring it. */
  learn(x: number): void {
    if (this.seed === null) return this.absorb(x);
    this.seed.push(x);
    this.count++;
    if (this.seed.length >= Math.min(this.learnReadings, MAX_SEED_VALUES)) this.fitSeed(this.seed);
  }

  /** Level and sigma once seeded; null while the first learning values are still being collected. */
  snapshot(): BaselineSnapshot | null {
    if (this.seed !== null) return null;
    const learning = this.count < this.learnReadings;
    return { level: this.level, sigma: this.sigma, count: this.count, learning };
  }

  private z(x: number): number {
    const z = Math.abs(x - this.level) / this.effectiveSigma();
    return Math.min(z, MAX_Z);
  }

  private effectiveSigma(): number {
    return Math.max(this.sigma, ABS_FLOOR, REL_FLOOR * Math.abs(this.level), this.resolution / 2);
  }

  private absorb(x: number): void {
    const bound = CLIP_SIGMAS * this.effectiveSigma();
    const raw = x - this.level;
    const residual = Math.max(-bound, Math.min(bound, raw));
    const damping = residual === raw ? 1 : OUTLIER_WEIGHT;
    // Early on weigh like a running mean, so the estimate from a short learning period firms up fast.
    const runningWeight = 1 / (this.count + 1);
    this.level += damping * Math.max(LEVEL_ALPHA, runningWeight) * residual;
    const deviation = Math.abs(residual) * MEAN_ABS_TO_SIGMA;
    this.sigma += damping * Math.max(SCALE_ALPHA, runningWeight) * (deviation - this.sigma);
    if (this.count < Number.MAX_SAFE_INTEGER) this.count++;
  }

  private fitSeed(values: number[]): void {
    const { level, sigma } = robustSeed(values);
    this.level = level;
    this.sigma = sigma;
    this.resolution = resolutionOf(values);
    this.seed = null;
  }
}

/** Median, and sigma from the mean absolute deviation winsorised at 3 MAD-sigmas (robust, yet efficient). */
export function robustSeed(values: readonly number[]): { level: number; sigma: number } {
  const level = median(values);
  const deviations = values.map((v) => Math.abs(v - level));
  const madSigma = MAD_TO_SIGMA * median(deviations);
  // MAD is 0 when over half the values are equal (a quantised, mostly flat signal): then keep every deviation.
  const cap = madSigma > 0 ? CLIP_SIGMAS * madSigma : Infinity;
  const meanAbs = deviations.reduce((sum, d) => sum + Math.min(d, cap), 0) / values.length;
  return { level, sigma: meanAbs * MEAN_ABS_TO_SIGMA };
}

/** The step of the finest decimal seen (21.5 -> 0.1, 40 -> 1); 0 when values carry float noise. */
export function resolutionOf(values: readonly number[]): number {
  let decimals = 0;
  for (const value of values) {
    const text = String(value);
    if (/e/i.test(text)) return 0; // 1e-7 or 1e21: too small or too large to tell
    const dot = text.indexOf('.');
    if (dot >= 0) decimals = Math.max(decimals, text.length - dot - 1);
  }
  return decimals > MAX_DECIMALS ? 0 : 10 ** -decimals;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
