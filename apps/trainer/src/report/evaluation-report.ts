import { CsvEvaluation, labelRuns } from '../evaluation/csv-evaluation';
import { NabEvaluation } from '../evaluation/nab-evaluation';
import { alertFigures, allScores, Chart, histogram, scoreChart, writeReport } from './html-report';

export function writeNabReport(
  path: string,
  detector: string,
  result: NabEvaluation,
): Promise<string> {
  const best = result.episodes;
  const all = new Float64Array(result.scored.reduce((n, s) => n + s.scores.length, 0));
  let offset = 0;
  for (const s of result.scored) {
    all.set(s.scores as Float64Array, offset);
    offset += s.scores.length;
  }
  const cap = Math.max(best.threshold * 4, 1e-9);
  const charts: Chart[] = [
    {
      kind: 'histogram',
      title: `Score histogram, all series (capped at ${cap.toPrecision(3)})`,
      ...histogram(all, 60, cap),
      threshold: best.threshold,
    },
    ...result.scored.map((s) =>
      scoreChart(
        `${s.series.name} (NAB ${best.perFile.find((f) => f.name === s.series.name)?.score.toFixed(3)})`,
        s.file.timestamps,
        s.scores,
        best.threshold,
        s.series.windows,
      ),
    ),
  ];
  return writeReport(path, {
    title: `NAB evaluation: ${detector}`,
    summary: {
      detector,
      series: result.scored.length,
      'NAB standard score (alerts: one per episode)': best.normalized.toFixed(2),
      'NAB standard score (every row over threshold)': result.rows.normalized.toFixed(2),
      'NAB standard score at the default threshold 1.0 (alerts)':
        result.atDefault.normalized.toFixed(2),
      threshold: best.threshold,
      episode: `open after ${result.episode.openAfter}, close after ${result.episode.closeAfter}`,
      'TP / FP / FN (detections)': `${best.tp} / ${best.fp} / ${best.fn}`,
      'raw / null / perfect': `${best.raw.toFixed(2)} / ${best.nullScore.toFixed(2)} / ${best.perfectScore.toFixed(2)}`,
    },
    table: [
      ['series', 'raw score', 'TP', 'FP', 'FN'],
      ...best.perFile.map((f) => [f.name, f.score.toFixed(3), f.tp, f.fp, f.fn]),
    ],
    charts,
  });
}

export function writeCsvReport(
  path: string,
  detector: string,
  result: CsvEvaluation,
): Promise<string> {
  const s = result.summary;
  const scores = allScores(result.devices);
  return writeReport(path, {
    title: `Evaluation: ${detector}`,
    summary: {
      detector,
      ...alertFigures(s),
      'NAB standard score': s.nabStandard,
    },
    charts: [
      {
        kind: 'histogram',
        title: 'Score histogram (capped at 5)',
        ...histogram(scores, 60, 5),
        threshold: 1,
      },
      ...result.devices
        .slice(0, 12)
        .map((d) => scoreChart(`device ${d.deviceId}`, d.ts, d.scores, 1, labelRuns(d.labels))),
    ],
  });
}
