import { Command, Option } from 'commander';
import { detectionSettingsFromEnv } from '@iag/config';
import { replay, summarise } from '@iag/detection-lab';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { delimiter } from '../cli-options';
import { readBacktestDevices } from '../backtest/backtest-input';
import { gatewayDetector } from '../backtest/gateway-detector';
import { backtestView, printBacktest } from '../backtest/backtest-output';
import { writeBacktestReport } from '../report/backtest-report';
import { writeScoresCsv } from '../report/scores-csv';
import { TrainerError } from '../trainer-error';

interface BacktestOptions {
  csv: string[];
  modelsDir: string;
  dataDir?: string;
  models: boolean;
  profile?: string;
  delimiter: string;
  timeColumn?: string;
  deviceColumn?: string;
  labelColumn: string;
  report: string;
  scoresCsv?: string;
  json: boolean;
}

export function backtestCommand(): Command {
  return new Command('backtest')
    .description(
      "Replay labelled readings through the gateway's own detection path (routing, calibration, thresholds, episodes) and score its alerts",
    )
    .requiredOption(
      '--csv <file...>',
      'labelled CSV file(s) or directories of them: one device per file (named after it) or a device column',
    )
    .addOption(
      new Option('--models-dir <dir>', 'the model registry a gateway would serve')
        .env('MODELS_DIR')
        .default('models'),
    )
    .addOption(
      new Option(
        '--data-dir <dir>',
        "the gateway's DATA_DIR, for the versions activated last (active-models.json)",
      ).env('DATA_DIR'),
    )
    .option('--no-models', 'serve no model: zero-config detection only')
    .option('--profile <name>', 'the profile every device was provisioned with (picks its model)')
    .option('--delimiter <char>', 'CSV delimiter (\\t for tab)', delimiter, ',')
    .option('--time-column <name>', 'CSV time column (default ts, timestamp or time)')
    .option('--device-column <name>', 'CSV device column (default device_id or device if present)')
    .option('--label-column <name>', 'CSV 0/1 anomaly column', 'anomaly')
    .option('--report <file>', 'HTML report to write', 'reports/backtest.html')
    .option(
      '--scores-csv <file>',
      'write one row per reading (device_id, ts, score, threshold, label, in_episode, detector) for pandas',
    )
    .option('--json', 'print the result as JSON', false)
    .action((options: BacktestOptions) => runBacktest(options));
}

async function runBacktest(options: BacktestOptions): Promise<void> {
  // The same DETECTOR_* and EPISODE_* variables as the gateway's, with the same defaults.
  const settings = detectionSettingsFromEnv();
  const devices = await readBacktestDevices(csvFiles(options.csv), {
    delimiter: options.delimiter,
    timeColumn: options.timeColumn,
    deviceColumn: options.deviceColumn,
    labelColumn: options.labelColumn,
    profile: options.profile ?? null,
  });
  const log = (m: string) => process.stderr.write(`${m}\n`);
  const { detector, served } = await gatewayDetector(
    settings,
    {
      modelsDir: options.models ? resolve(options.modelsDir) : null,
      dataDir: options.dataDir ? resolve(options.dataDir) : null,
    },
    log,
  );
  const replayed = await replay(devices, detector, settings);
  const { summary, events } = summarise(replayed);
  const view = backtestView(settings, served, summary, events, replayed);
  const path = await writeBacktestReport(options.report, view, replayed);
  printBacktest(view, options.json);
  log(`report: ${path}`);
  if (options.scoresCsv) {
    const rows = replayed.map((d) => ({ ...d, ts: d.readings.map((r) => r.ts) }));
    log(`scores: ${await writeScoresCsv(options.scoresCsv, rows)}`);
  }
}

function csvFiles(paths: string[]): string[] {
  const files: string[] = [];
  for (const path of paths.map((p) => resolve(p))) {
    if (!existsSync(path)) throw new TrainerError(`${path} does not exist`);
    if (path.endsWith('.csv')) files.push(path);
    else
      files.push(
        ...readdirSync(path)
          .filter((f) => f.endsWith('.csv'))
          .sort()
          .map((f) => join(path, f)),
      );
  }
  if (files.length === 0) throw new TrainerError('no .csv files in the given paths');
  return files;
}
