import { DetectionSettings } from '@iag/config';
import { Anomaly } from '@iag/contracts';
import { BacktestSummary, EventOutcome, ReplayedDevice } from '@iag/detection-lab';

/** What a backtest prints and --json writes. */
export interface BacktestView {
  settings: DetectionSettings;
  models: string[];
  summary: BacktestSummary;
  events: EventOutcome[];
  devices: { deviceId: string; readings: number; episodes: number; alarmed: number }[];
  episodes: Anomaly[];
}

export function backtestView(
  settings: DetectionSettings,
  models: string[],
  summary: BacktestSummary,
  events: EventOutcome[],
  devices: ReplayedDevice[],
): BacktestView {
  return {
    settings,
    models,
    summary,
    events,
    devices: devices.map((d) => ({
      deviceId: d.deviceId,
      readings: d.readings.length,
      episodes: d.episodes.length,
      alarmed: d.alarms.reduce((a, b) => a + b, 0),
    })),
    episodes: devices.flatMap((d) => d.episodes),
  };
}

export function printBacktest(view: BacktestView, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
    return;
  }
  const s = view.summary;
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  const lines = [
    `models             ${view.models.length ? view.models.join(', ') : 'none (zero-config)'}`,
    `devices / readings ${s.devices} / ${s.readings} (${s.anomalousReadings} labelled anomalous)`,
    `episodes           ${s.episodes}`,
    `precision          ${s.precision.toFixed(3)}`,
    `recall             ${s.recall.toFixed(3)}`,
    `F1                 ${s.f1.toFixed(3)}`,
    `false alarms       ${pct(s.falseAlarmRate)} of normal readings inside an episode`,
    `missed             ${pct(s.missedAlarmRate)} of anomalous readings`,
    `events caught      ${s.eventsCaught} of ${s.events}`,
    `NAB standard       ${s.nabStandard ?? 'n/a (no labels)'}`,
  ];
  if (view.events.length > 0) {
    lines.push('', 'device              event start               rows  caught  delay  detected');
    for (const e of view.events) {
      lines.push(
        `${e.deviceId.padEnd(20)}${e.startedAt.padEnd(26)}${String(e.rows).padStart(4)}  ${(e.caught ? 'yes' : 'no').padEnd(6)}  ${String(e.delayRows ?? '-').padStart(5)}  ${pct(e.detected).padStart(8)}`,
      );
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
