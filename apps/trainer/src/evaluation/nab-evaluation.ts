import {
  CorpusScore,
  episodeOnsets,
  everyRowOver,
  optimiseThreshold,
  scoreCorpus,
  probationaryLength,
  scoreSeries,
  ScoredSeries,
} from '@iag/detection-lab';
import { NabFile } from '../data/nab-corpus';
import { SeriesDetector } from './detector-factory';

export interface NabEvaluation {
  /** The gateway's alerts: one detection per episode (EpisodeTracker rule), threshold optimised. */
  episodes: CorpusScore;
  /** NAB's raw rule: every row over the threshold is a detection, threshold optimised. */
  rows: CorpusScore;
  /** The gateway's alerts at the detector's own threshold (score 1.0), nothing optimised. */
  atDefault: CorpusScore;
  scored: (ScoredSeries & { file: NabFile })[];
  episode: { openAfter: number; closeAfter: number };
}

/** Scores every file with a fresh detector, then optimises one threshold over the corpus (NAB). */
export async function evaluateNab(
  files: NabFile[],
  create: (file: NabFile, probation: number) => Promise<SeriesDetector>,
  episode: { openAfter: number; closeAfter: number },
  onFile: (name: string) => void = () => undefined,
): Promise<NabEvaluation> {
  const scored: (ScoredSeries & { file: NabFile })[] = [];
  for (const file of files) {
    const probation = probationaryLength(file.readings.length);
    const { detector, dispose } = await create(file, Math.floor(probation));
    try {
      const { scores } = await scoreSeries(detector, file.series.name, file.readings);
      scored.push({ series: file.series, scores, file });
    } finally {
      dispose();
    }
    onFile(file.series.name);
  }
  const gated = (scores: ArrayLike<number>, t: number) =>
    episodeOnsets(scores, t, episode.openAfter, episode.closeAfter);
  return {
    episodes: optimiseThreshold(scored, gated),
    rows: optimiseThreshold(scored, everyRowOver),
    atDefault: scoreCorpus(scored, 1, gated),
    scored,
    episode,
  };
}
