import { ReplayedDevice } from '@iag/detection-lab';
import { BacktestView } from '../backtest/backtest-output';
import { labelRuns } from '../evaluation/csv-evaluation';
import { downsample, histogram, writeReport } from './html-report';

/** The backtest's report: the figures, a score chart per device (episodes and labels), the events. */
export function writeBacktestReport(
  path: string,
  view: BacktestView,
  devices: ReplayedDevice[],
): Promise<string> {
  const s = view.summary;
  const all = new Float64Array(devices.reduce((n, d) => n + d.scores.length, 0));
  let offset = 0;
  for (const d of devices) {
    all.set(d.scores, offset);
    offset += d.scores.length;
  }
  return writeReport(path, {
    title: 'Backtest: the gateway\u2019s detection path on labelled readings',
    summary: {
      models: view.models.length ? view.models.join(', ') : 'none (zero-config)',
      devices: s.devices,
      readings: s.readings,
      'anomalous readings': s.anomalousReadings,
      episodes: s.episodes,
      precision: s.precision.toFixed(4),
      recall: s.recall.toFixed(4),
      F1: s.f1.toFixed(4),
      'false-alarm rate (normal readings inside an episode)': s.falseAlarmRate.toFixed(5),
      'missed-alarm rate': s.missedAlarmRate.toFixed(4),
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
      ...devices.slice(0, 24).map((d) => {
        const ts = d.readings.map((r) => r.ts);
        const scores = downsample(ts, d.scores);
        const shade = (runs: [number, number][]) =>
          runs.map(([a, b]) => [ts[a] / 1000, ts[b] / 1000] as [number, number]);
        return {
          kind: 'lines' as const,
          title: `device ${d.deviceId}: combined score (1.0 = threshold); labelled rows shaded; ${d.episodes.length} episode(s)`,
          time: true,
          x: scores.x.map((t) => t / 1000),
          series: [{ label: 'score', values: scores.values }],
          threshold: 1,
          shaded: shade(labelRuns(d.labels ?? new Uint8Array(ts.length))),
        };
      }),
    ],
  });
}
