/**
 * NAB's scoring (numenta/NAB, nab/sweeper.py), reimplemented: labelled windows, a scaled sigmoid of
 * a detection's position, cost profiles, the probationary period, and normalisation between the
 * null detector (0) and a perfect one (100).
 */

export interface CostProfile {
  tp: number;
  fp: number;
  fn: number;
}

/** NAB's standard profile (A_TP = 1, A_FP = -0.11, A_FN = -1). */
export const STANDARD_PROFILE: CostProfile = { tp: 1, fp: 0.11, fn: 1 };
export const PROBATION_PERCENT = 0.15;

/** A labelled series: its length in rows and its anomaly windows as inclusive row ranges. */
export interface LabelledSeries {
  name: string;
  length: number;
  windows: readonly (readonly [number, number])[];
}

export interface FileScore {
  score: number;
  tp: number;
  fp: number;
  fn: number;
  /** Windows with at least one scorable row. */
  windows: number;
}

/** 2 * sigmoid(-5x) - 1, and -1 far (> 3 widths) past a window (NAB `scaledSigmoid`). */
export function scaledSigmoid(x: number): number {
  if (x > 3) return -1;
  return 2 / (1 + Math.exp(5 * x)) - 1;
}

/** Rows at the start of a series that are never scored: 15%, at most 750 (15% of 5000). */
export function probationaryLength(rows: number, percent = PROBATION_PERCENT): number {
  return Math.min(Math.floor(percent * rows), percent * 5000);
}

/**
 * Per row, what a detection there is worth (NAB calcSweepScore) and which window it falls in
 * (-1: none). Rows inside the probationary period are marked not scorable (NaN).
 */
export function sweepScores(
  series: LabelledSeries,
  profile: CostProfile = STANDARD_PROFILE,
): { weight: Float64Array; window: Int32Array } {
  const weight = new Float64Array(series.length);
  const window = new Int32Array(series.length).fill(-1);
  const maxTP = scaledSigmoid(-1);
  const probation = probationaryLength(series.length);
  const windows = [...series.windows].sort((a, b) => a[0] - b[0]);
  let next = 0;
  let current = -1;
  let prevRight: number | null = null;
  let prevWidth = 0;
  for (let i = 0; i < series.length; i++) {
    if (current < 0 && next < windows.length && i === windows[next][0]) current = next++;
    if (current >= 0) {
      const [left, right] = windows[current];
      const position = -(right - i + 1) / (right - left + 1);
      weight[i] = (scaledSigmoid(position) * profile.tp) / maxTP;
      window[i] = current;
    } else {
      const unweighted =
        prevRight === null ? -1 : scaledSigmoid(Math.abs(prevRight - i) / (prevWidth - 1));
      weight[i] = unweighted * profile.fp;
    }
    if (i < probation) weight[i] = NaN;
    if (current >= 0 && i === windows[current][1]) {
      prevRight = i;
      prevWidth = windows[current][1] - windows[current][0] + 1;
      current = -1;
    }
  }
  return { weight, window };
}

/**
 * Raw NAB score of a set of detections (row indexes) on one series: per window, the best (that
 * is, earliest) detection in it, or -A_FN when it has none; plus every detection outside a
 * window at its (negative) false-positive weight. Rows in the probationary period are ignored.
 */
export function scoreDetections(
  series: LabelledSeries,
  detections: Iterable<number>,
  profile: CostProfile = STANDARD_PROFILE,
  sweep = sweepScores(series, profile),
): FileScore {
  const best = new Map<number, number>();
  for (let i = 0; i < series.length; i++) {
    if (!Number.isNaN(sweep.weight[i]) && sweep.window[i] >= 0)
      best.set(sweep.window[i], -profile.fn);
  }
  let fpScore = 0;
  let fp = 0;
  let tp = 0;
  for (const row of detections) {
    const w = sweep.weight[row];
    if (row < 0 || row >= series.length || Number.isNaN(w)) continue;
    const win = sweep.window[row];
    if (win < 0) {
      fpScore += w;
      fp++;
    } else {
      tp++;
      best.set(win, Math.max(best.get(win)!, w));
    }
  }
  let score = fpScore;
  let fn = 0;
  for (const value of best.values()) {
    score += value;
    if (value === -profile.fn) fn++;
  }
  return { score, tp, fp, fn, windows: best.size };
}

/** The detections of a perfect detector: the first scorable row of every window. */
export function perfectDetections(series: LabelledSeries): number[] {
  const probation = probationaryLength(series.length);
  return series.windows
    .filter(([, right]) => right >= probation)
    .map(([left]) => Math.max(left, Math.ceil(probation)));
}

/** 100 * (raw - null) / (perfect - null), summed over the corpus (NAB's normalisation). */
export function normalizedScore(raw: number, nullScore: number, perfectScore: number): number {
  return (100 * (raw - nullScore)) / (perfectScore - nullScore);
}
