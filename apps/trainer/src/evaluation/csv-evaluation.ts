import {
  ClassificationReport,
  classify,
  DeviceSeries,
  episodeMask,
  episodeOnsets,
  LabelledSeries,
  runsOf,
  concat,
  scoreCorpus,
  scoreSeries,
} from '@iag/detection-lab';
import { CsvSeries } from '../data/csv-series';
import { SeriesDetector } from './detector-factory';

export interface CsvEvaluation {
  summary: ClassificationReport & {
    /** NAB standard-profile score of the alerts (labelled runs as windows), at the detector's threshold. */
    nabStandard: number;
    devices: number;
    readings: number;
    anomalousReadings: number;
    episodes: number;
  };
  devices: {
    deviceId: string;
    ts: number[];
    scores: Float64Array;
    labels: Uint8Array;
    alarms: Uint8Array;
  }[];
}

/** Contiguous runs of label 1, as inclusive row ranges (NAB windows). */
export const labelRuns = runsOf;

/**
 * Replays each device's readings through the detector at its own threshold (1.0) and compares
 * the gateway's alarms (rows inside an open episode) with the labels, row by row; the NAB score
 * counts one detection per episode.
 */
export async function evaluateCsv(
  data: CsvSeries,
  create: (series: DeviceSeries) => Promise<SeriesDetector>,
  episode: { openAfter: number; closeAfter: number },
): Promise<CsvEvaluation> {
  const first = data.series[0];
  const { detector, dispose } = await create({
    deviceId: first.deviceId,
    readings: first.readings,
  });
  const devices: CsvEvaluation['devices'] = [];
  try {
    for (const series of data.series) {
      const { scores } = await scoreSeries(detector, series.deviceId, series.readings);
      const labels = series.labels ?? new Uint8Array(series.readings.length);
      const alarms = episodeMask(scores, 1, episode.openAfter, episode.closeAfter);
      devices.push({
        deviceId: series.deviceId,
        ts: series.readings.map((r) => r.ts),
        scores,
        labels,
        alarms,
      });
    }
  } finally {
    dispose();
  }
  const allLabels = concat(devices.map((d) => d.labels));
  const allAlarms = concat(devices.map((d) => d.alarms));
  const corpus = devices.map((d) => ({
    series: {
      name: d.deviceId,
      length: d.scores.length,
      windows: labelRuns(d.labels),
    } satisfies LabelledSeries,
    scores: d.scores,
  }));
  const gated = (s: ArrayLike<number>, t: number) =>
    episodeOnsets(s, t, episode.openAfter, episode.closeAfter);
  const nab = scoreCorpus(corpus, 1, gated);
  const episodes = devices.reduce((sum, d) => sum + gated(d.scores, 1).length, 0);
  return {
    summary: {
      ...classify(allLabels, allAlarms),
      nabStandard: Number(nab.normalized.toFixed(2)),
      devices: devices.length,
      readings: allLabels.length,
      anomalousReadings: allLabels.reduce((a, b) => a + b, 0),
      episodes,
    },
    devices,
  };
}
