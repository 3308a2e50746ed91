import { Command, Option } from 'commander';
import { detectionSettingsFromEnv } from '@iag/config';
import {
  DEFAULT_SUBSPACE_OPTIONS,
  initTfBackend,
  nextVersion,
  autoencoderDetector,
  ServableModel,
} from '@iag/detection';
import {
  DeviceSeries,
  scoreSeries,
  trainAutoencoder,
  TrainOptions,
  trainSubspace,
} from '@iag/detection-lab';
import { join, resolve } from 'node:path';
import { delimiter, integer, list, number, time } from '../cli-options';
import { readCsvSeries } from '../data/csv-series';
import { addInfluxOptions, InfluxAccessOptions, resolveInfluxAccess } from '../data/influx-access';
import { readInfluxSeries } from '../data/influx-series';
import { epochProgress } from '../progress';
import { ScoredPreview, writeSubspaceReport, writeTrainingReport } from '../report/training-report';
import { TrainerError } from '../trainer-error';

interface TrainCommandOptions extends InfluxAccessOptions {
  csv?: string;
  from?: number;
  to?: number;
  devices?: string[];
  delimiter: string;
  timeColumn?: string;
  deviceColumn?: string;
  labelColumn: string;
  features?: string[];
  name: string;
  modelsDir: string;
  kind: 'autoencoder' | 'subspace';
  normalization: 'global' | 'per-device';
  calibration?: number;
  window: number;
  epochs: number;
  batchSize: number;
  validationSplit: number;
  patience: number;
  seed: number;
  thresholdQuantile: number;
  openAfter?: number;
  closeAfter?: number;
  note?: string;
}

export function trainCommand(): Command {
  const command = new Command('train')
    .description(
      'Train an autoencoder from a CSV or from InfluxDB history and write the next version to models/NAME/',
    )
    .addOption(
      new Option('--csv <file>', 'readings as CSV (one row per reading)').conflicts(['from']),
    )
    .option('--from <time>', 'InfluxDB: history from (epoch ms or ISO 8601)', time)
    .option('--to <time>', 'InfluxDB: history to (default now)', time)
    .option('--devices <ids>', 'InfluxDB: only these devices (comma-separated)', list);
  return addInfluxOptions(command, 'InfluxDB: ')
    .option('--delimiter <char>', 'CSV delimiter (\\t for tab)', delimiter, ',')
    .option(
      '--time-column <name>',
      'CSV time column: epoch ms or ISO 8601, with or without a zone (default ts, timestamp or time)',
    )
    .option('--device-column <name>', 'CSV device column (default device_id or device if present)')
    .option(
      '--label-column <name>',
      'CSV rows with 1 in this column (if present) are left out of training',
      'anomaly',
    )
    .option(
      '--features <names>',
      'metrics the model reads, comma-separated (CSV default: every numeric column)',
      list,
    )
    .requiredOption('--name <name>', 'model name = the profile it serves, e.g. default')
    .addOption(
      new Option('--models-dir <dir>', 'model registry root').env('MODELS_DIR').default('models'),
    )
    .addOption(
      new Option(
        '--kind <kind>',
        'autoencoder: a TF.js dense autoencoder over a window; subspace: the fleet subspace of the features (PCA), recentred on each device',
      )
        .choices(['autoencoder', 'subspace'])
        .default('autoencoder'),
    )
    .addOption(
      new Option(
        '--normalization <mode>',
        "global: one mean/std; per-device: each device's own, learned over --calibration readings",
      )
        .choices(['global', 'per-device'])
        .default('global'),
    )
    .option(
      '--calibration <n>',
      'readings each device calibrates the model to itself over: its scale (two thirds, per-device normalisation) then its own limits (default 100; subspace 150)',
      integer(2),
    )
    .option('--window <n>', 'readings per window', integer(1, 1024), 16)
    .option('--epochs <n>', 'most training epochs', integer(1, 100_000), 50)
    .option('--batch-size <n>', 'windows per training step', integer(1, 65_536), 64)
    .option(
      '--validation-split <f>',
      'share of windows held out for validation and the threshold',
      number(0, 0.9, { exclusiveMin: true }),
      0.2,
    )
    .option(
      '--patience <n>',
      'early stopping: epochs without a better validation loss (0: off)',
      integer(0),
      5,
    )
    .option('--seed <n>', 'random seed (weights, split)', integer(0), 42)
    .option(
      '--threshold-quantile <q>',
      'threshold = this quantile of the validation reconstruction error',
      number(0.5, 1),
      0.995,
    )
    .option(
      '--open-after <n>',
      'episode rule stored with the model: windows over 1.0 to open',
      integer(1, 1000),
    )
    .option(
      '--close-after <n>',
      'episode rule stored with the model: windows under 1.0 to close',
      integer(1, 10_000),
    )
    .option('--note <text>', 'free text stored in metadata.trainedOn (how the data was made)')
    .action((options: TrainCommandOptions) => runTrain(options));
}

async function runTrain(options: TrainCommandOptions): Promise<void> {
  const source = await loadSeries(options);
  if (options.kind === 'subspace') return runTrainSubspace(options, source);
  await initTfBackend('auto', (m) => process.stderr.write(`${m}\n`));
  const modelsDir = resolve(options.modelsDir);
  const version = nextVersion(modelsDir, options.name);
  const dir = join(modelsDir, options.name, version);
  const bar = epochProgress(options.epochs);
  const episode = episodeOf(options);
  const trainOptions: TrainOptions = {
    name: options.name,
    version,
    features: source.features,
    windowSize: options.window,
    normalization: options.normalization,
    calibrationReadings: options.calibration ?? 100,
    epochs: options.epochs,
    batchSize: options.batchSize,
    validationSplit: options.validationSplit,
    patience: options.patience,
    seed: options.seed,
    thresholdQuantile: options.thresholdQuantile,
    episode,
    trainedOn: options.note ? { ...source.description, note: options.note } : source.description,
    onEpoch: (_epoch, loss, valLoss) =>
      bar.increment({ loss: loss.toFixed(5), valLoss: valLoss.toFixed(5) }),
  };
  let result;
  try {
    result = await trainAutoencoder(source.series, trainOptions);
  } finally {
    bar.stop();
  }
  try {
    await saveWithReport(dir, result, source, (path, preview) =>
      writeTrainingReport(path, result, source.series, preview),
    ).then((report) =>
      process.stderr.write(
        `trained ${result.windows.train} windows, validated on ${result.windows.validation}; threshold ${result.model.metadata.threshold.toPrecision(4)}; report: ${report}\n`,
      ),
    );
    process.stdout.write(`${dir}\n`);
  } finally {
    result.model.dispose();
  }
}

/** Writes the version, scores the first device's readings with it and writes its training report. */
async function saveWithReport(
  dir: string,
  result: { model: ServableModel; save(dir: string): Promise<void> },
  source: TrainingData,
  write: (path: string, preview: ScoredPreview) => Promise<string>,
): Promise<string> {
  await result.save(dir);
  const scored = await scoreSeries(
    autoencoderDetector(result.model),
    source.preview.deviceId,
    source.preview.readings,
  );
  return write(join(dir, 'training-report.html'), { ...source.preview, scores: scored.scores });
}

async function runTrainSubspace(options: TrainCommandOptions, source: TrainingData): Promise<void> {
  const modelsDir = resolve(options.modelsDir);
  const version = nextVersion(modelsDir, options.name);
  const dir = join(modelsDir, options.name, version);
  const result = trainSubspace(source.series, {
    name: options.name,
    version,
    features: source.features,
    calibrationReadings: options.calibration ?? DEFAULT_SUBSPACE_OPTIONS.learnReadings,
    // A subspace model's evidence comes and goes within one fault as the multivariate detector's
    // does: it closes episodes after as many quiet readings (DETECTOR_MULTIVARIATE_CLOSE_AFTER).
    episode: episodeOf(options) ?? {
      openAfter: 1,
      closeAfter: detectionSettingsFromEnv().multivariate?.closeAfter ?? 20,
    },
    trainedOn: options.note ? { ...source.description, note: options.note } : source.description,
  });
  const report = await saveWithReport(dir, result, source, (path, preview) =>
    writeSubspaceReport(path, result, source.series, preview),
  );
  process.stderr.write(
    `fitted ${result.rows.reduce((a, b) => a + b, 0)} rows of ${source.series.length} device(s); ${result.components} components; report: ${report}\n`,
  );
  process.stdout.write(`${dir}\n`);
}

function episodeOf(options: TrainCommandOptions) {
  return options.openAfter || options.closeAfter
    ? { openAfter: options.openAfter ?? 1, closeAfter: options.closeAfter ?? 5 }
    : undefined;
}

interface TrainingData {
  features: string[];
  series: DeviceSeries[];
  description: Record<string, unknown>;
  /** The first device unfiltered, with its labels, for the report's score-over-time chart. */
  preview: { deviceId: string; readings: DeviceSeries['readings']; labels: Uint8Array | null };
}

async function loadSeries(options: TrainCommandOptions): Promise<TrainingData> {
  if (options.csv) {
    const data = await readCsvSeries(resolve(options.csv), {
      delimiter: options.delimiter,
      timeColumn: options.timeColumn,
      deviceColumn: options.deviceColumn,
      features: options.features,
      labelColumn: options.labelColumn,
      requireLabel: false,
    });
    // Train on normal behaviour only: rows labelled anomalous are left out.
    const series = data.series.map(({ deviceId, readings, labels }) => ({
      deviceId,
      readings: labels ? readings.filter((_, i) => labels[i] === 0) : readings,
    }));
    const labelled = data.series.some((s) => s.labels !== null);
    return {
      features: data.features,
      series,
      description: { source: 'csv', file: options.csv, labelledRowsExcluded: labelled },
      preview: data.series[0],
    };
  }
  if (options.from === undefined)
    throw new TrainerError(
      'train needs --csv <file>, or --from (and --to) to read InfluxDB history',
    );
  if (!options.features) throw new TrainerError('training from InfluxDB needs --features a,b,c');
  const access = resolveInfluxAccess(options, 'training from InfluxDB');
  const to = options.to ?? Date.now();
  const series = await readInfluxSeries({
    ...access,
    database: options.database,
    from: options.from,
    to,
    devices: options.devices,
    metrics: options.features,
  });
  return {
    preview: { ...series[0], labels: null },
    features: options.features,
    series,
    description: {
      source: 'influxdb',
      database: options.database,
      from: new Date(options.from).toISOString(),
      to: new Date(to).toISOString(),
    },
  };
}
