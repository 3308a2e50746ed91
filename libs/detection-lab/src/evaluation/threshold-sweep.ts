import {
  CostProfile,
  LabelledSeries,
  normalizedScore,
  perfectDetections,
  scoreDetections,
  STANDARD_PROFILE,
  sweepScores,
} from './nab-scorer';

export interface ScoredSeries {
  series: LabelledSeries;
  /** Raw detector score per row. */
  scores: ArrayLike<number>;
}

export interface CorpusScore {
  threshold: number;
  raw: number;
  nullScore: number;
  perfectScore: number;
  /** NAB's normalised score: null detector 0, perfect detector 100. */
  normalized: number;
  tp: number;
  fp: number;
  fn: number;
  perFile: { name: string; score: number; tp: number; fp: number; fn: number }[];
}

/** Turns raw scores into detections (row indexes) at a threshold: plain NAB or gated into episodes. */
export type Detect = (scores: ArrayLike<number>, threshold: number) => number[];

/** NAB's own rule: every row whose score reaches the threshold is a detection. */
export const everyRowOver: Detect = (scores, threshold) => {
  const rows: number[] = [];
  for (let i = 0; i < scores.length; i++) if (scores[i] >= threshold) rows.push(i);
  return rows;
};

/** The corpus score at one threshold. */
export function scoreCorpus(
  corpus: readonly ScoredSeries[],
  threshold: number,
  detect: Detect,
  profile: CostProfile = STANDARD_PROFILE,
  sweeps = corpus.map(({ series }) => sweepScores(series, profile)),
): CorpusScore {
  let raw = 0;
  let nullScore = 0;
  let perfectScore = 0;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const perFile = corpus.map(({ series, scores }, i) => {
    const result = scoreDetections(series, detect(scores, threshold), profile, sweeps[i]);
    raw += result.score;
    nullScore += scoreDetections(series, [], profile, sweeps[i]).score;
    perfectScore += scoreDetections(series, perfectDetections(series), profile, sweeps[i]).score;
    tp += result.tp;
    fp += result.fp;
    fn += result.fn;
    return { name: series.name, score: result.score, tp: result.tp, fp: result.fp, fn: result.fn };
  });
  const normalized = normalizedScore(raw, nullScore, perfectScore);
  return { threshold, raw, nullScore, perfectScore, normalized, tp, fp, fn, perFile };
}

/**
 * NAB picks one threshold per detector for the whole corpus, the one that maximises its total
 * score. Candidates: quantiles of every positive score in the corpus, then a finer pass around
 * the best one.
 */
export function optimiseThreshold(
  corpus: readonly ScoredSeries[],
  detect: Detect,
  profile: CostProfile = STANDARD_PROFILE,
  coarse = 120,
): CorpusScore {
  const sweeps = corpus.map(({ series }) => sweepScores(series, profile));
  const all: number[] = [];
  for (const { scores } of corpus)
    for (let i = 0; i < scores.length; i++) if (scores[i] > 0) all.push(scores[i]);
  all.sort((a, b) => a - b);
  if (all.length === 0) return scoreCorpus(corpus, Infinity, detect, profile, sweeps);
  const at = (q: number) => all[Math.min(all.length - 1, Math.floor(q * all.length))];
  let best = scoreCorpus(corpus, Infinity, detect, profile, sweeps);
  let bestQ = 1;
  const tryQ = (q: number) => {
    const result = scoreCorpus(corpus, at(q), detect, profile, sweeps);
    if (result.raw > best.raw) {
      best = result;
      bestQ = q;
    }
  };
  // Dense near the top, where thresholds for rare alarms live.
  for (let k = 0; k < coarse; k++) tryQ(1 - Math.pow(10, -4 * (k / coarse)) + 1e-9);
  const step = bestQ * 1e-3 + 1e-6;
  for (let k = -20; k <= 20; k++) {
    const q = bestQ + k * step * 0.1;
    if (q > 0 && q < 1) tryQ(q);
  }
  return best;
}
