import { ReplayedDevice } from '@iag/detection-lab';
import { BacktestView } from '../backtest/backtest-output';
import { labelRuns } from '../evaluation/csv-evaluation';
import { alertFigures, allScores, histogram, scoreChart, writeReport } from './html-report';

/** The backtest's report: the figures, a score chart per device (episodes and labels), the events. */
export function writeBacktestReport(
  path: string,
  view: BacktestView,
  devices: ReplayedDevice[],
): Promise<string> {
  const s = view.summary;
  const all = allScores(devices);
  return writeReport(path, {
    title: 'Backtest: the gateway\u2019s detection path on labelled readings',
    summary: {
      models: view.models.length ? view.models.join(', ') : 'none (zero-config)',
      ...alertFigures(s),
      'events caught': `${s.eventsCaught} of ${s.events}`,
      'NAB standard score': s.nabStandard ?? 'n/a',
      settings: JSON.stringify(view.settings),
    },
    table: [
      ['device', 'event start', 'readings', 'caught', 'delay (readings)', 'detected'],
      ...view.events.map((e) => [
        e.deviceId,
        e.startedAt,
        e.rows,
        e.caught ? 'yes' : 'no',
        e.delayRows ?? '-',
        `${(100 * e.detected).toFixed(1)} %`,
      ]),
    ],
    charts: [
      {
        kind: 'histogram',
        title: 'Score histogram (capped at 5)',
        ...histogram(all, 60, 5),
        threshold: 1,
      },
      ...devices.slice(0, 24).map((d) =>
        scoreChart(
          `device ${d.deviceId}: combined score (1.0 = threshold); labelled rows shaded; ${d.episodes.length} episode(s)`,
          d.readings.map((r) => r.ts),
          d.scores,
          1,
          labelRuns(d.labels ?? new Uint8Array(d.readings.length)),
        ),
      ),
    ],
  });
}
