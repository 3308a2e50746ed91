import { Command, Option } from 'commander';
import { initTfBackend, ServableModel } from '@iag/detection';
import { DeviceSeries, writeEvaluation } from '@iag/detection-lab';
import { resolve } from 'node:path';
import { integer, number, delimiter } from '../cli-options';
import { readCsvSeries } from '../data/csv-series';
import { loadNabCorpus } from '../data/nab-corpus';
import {
  DetectorKind,
  DetectorSettings,
  modelFactory,
  probationTrained,
  SeriesDetector,
  zscoreFactory,
} from '../evaluation/detector-factory';
import { evaluateNab } from '../evaluation/nab-evaluation';
import { evaluateCsv } from '../evaluation/csv-evaluation';
import { fileProgress } from '../progress';
import { writeNabReport, writeCsvReport } from '../report/evaluation-report';
import { writeScoresCsv } from '../report/scores-csv';
import { TrainerError } from '../trainer-error';

interface EvaluateOptions {
  nab?: string;
  csv?: string;
  model?: string;
  detector: DetectorKind;
  zThreshold: number;
  learnReadings: number;
  likelihoodReadings: number;
  likelihoodThreshold: number;
  window: number;
  epochs: number;
  seed: number;
  openAfter?: number;
  closeAfter?: number;
  only?: string;
  report: string;
  delimiter: string;
  timeColumn?: string;
  deviceColumn?: string;
  labelColumn: string;
  saveToModel: boolean;
  scoresCsv?: string;
  json: boolean;
}

export function evaluateCommand(): Command {
  return new Command('evaluate')
    .description(
      'Score labelled data with a model or the z-score detector: precision, recall, F1, false/missed alarm rates and the NAB score',
    )
    .addOption(
      new Option(
        '--nab <dir>',
        'a NAB-format corpus (data/<group>/<file>.csv, labels/combined_windows.json)',
      ).conflicts('csv'),
    )
    .option('--csv <file>', 'a labelled CSV of readings (0/1 label column)')
    .option(
      '--model <dir>',
      'a model version directory, e.g. models/default/1 (default: the detector given by --detector)',
    )
    .addOption(
      new Option(
        '--detector <kind>',
        'without --model: zscore, or autoencoder (NAB: trained per series on its probationary rows)',
      )
        .choices(['zscore', 'autoencoder'])
        .default('zscore'),
    )
    .option(
      '--z-threshold <z>',
      'z-score detector: robust z that scores 1.0',
      number(0, 1000, { exclusiveMin: true }),
      6,
    )
    .option(
      '--learn-readings <n>',
      'z-score detector: readings per metric before scoring',
      integer(2),
      30,
    )
    .option(
      '--likelihood-readings <n>',
      'z-score detector: readings before its likelihood stage takes over (0: plain z)',
      integer(0),
      300,
    )
    .option(
      '--likelihood-threshold <z>',
      'z-score detector: likelihood that scores 1.0',
      number(0, 1000, { exclusiveMin: true }),
      4,
    )
    .option('--window <n>', 'autoencoder on NAB: window size', integer(1, 1024), 8)
    .option(
      '--epochs <n>',
      'autoencoder on NAB: training epochs per series',
      integer(1, 10_000),
      30,
    )
    .option('--seed <n>', 'random seed', integer(0), 42)
    .option(
      '--open-after <n>',
      "windows over 1.0 that open an episode (default: the model's, else 1)",
      integer(1, 1000),
    )
    .option(
      '--close-after <n>',
      "windows under 1.0 that close it (default: the model's, else 5)",
      integer(1, 10_000),
    )
    .option('--only <text>', 'NAB: only series whose path contains this text')
    .option('--report <file>', 'HTML report to write', 'reports/evaluation.html')
    .option('--delimiter <char>', 'CSV delimiter (\\t for tab)', delimiter, ',')
    .option('--time-column <name>', 'CSV time column (default ts, timestamp or time)')
    .option('--device-column <name>', 'CSV device column (default device_id or device if present)')
    .option('--label-column <name>', 'CSV 0/1 anomaly column', 'anomaly')
    .option(
      '--save-to-model',
      "with --model and --csv: store the evaluation in the model's metadata.json",
      false,
    )
    .option(
      '--scores-csv <file>',
      'with --csv: write one row per reading (device_id, ts, score, threshold, label, in_episode) for pandas',
    )
    .option('--json', 'print the result as JSON', false)
    .action((options: EvaluateOptions) => runEvaluate(options));
}

/** The detector under evaluation: a fresh one per series (or per CSV), and how to name it. */
interface Candidate {
  name: string;
  model: ServableModel | null;
  create: (features: string[], series: DeviceSeries, probation: number) => Promise<SeriesDetector>;
}

async function runEvaluate(options: EvaluateOptions): Promise<void> {
  if (!options.nab && !options.csv)
    throw new TrainerError('evaluate needs --nab <dir> or --csv <file>');
  if (options.saveToModel && !(options.model && options.csv))
    throw new TrainerError('--save-to-model needs --model and --csv');
  if (options.scoresCsv && !options.csv) throw new TrainerError('--scores-csv needs --csv');
  await initTfBackend('auto', (m) => process.stderr.write(`${m}\n`));
  const candidate = await pickCandidate(options);
  const meta = candidate.model?.metadata;
  const episode = {
    openAfter: options.openAfter ?? meta?.episode?.openAfter ?? 1,
    closeAfter: options.closeAfter ?? meta?.episode?.closeAfter ?? 5,
  };
  try {
    if (options.nab) await evaluateOnNab(options, options.nab, candidate, episode);
    else await evaluateOnCsv(options, options.csv!, candidate, episode);
  } finally {
    candidate.model?.dispose();
  }
}

async function pickCandidate(options: EvaluateOptions): Promise<Candidate> {
  const settings: DetectorSettings = {
    zThreshold: options.zThreshold,
    learnReadings: options.learnReadings,
    likelihood:
      options.likelihoodReadings === 0
        ? null
        : { warmupReadings: options.likelihoodReadings, threshold: options.likelihoodThreshold },
    windowSize: options.window,
    epochs: options.epochs,
    seed: options.seed,
  };
  if (options.model) {
    const loaded = await modelFactory(resolve(options.model));
    return {
      name: `model ${loaded.model.key}`,
      model: loaded.model,
      create: () => loaded.create(),
    };
  }
  if (options.detector === 'autoencoder') {
    return {
      name: `autoencoder (per series, window ${settings.windowSize}, ${settings.epochs} epochs)`,
      model: null,
      create: (features, series, probation) =>
        probationTrained(series, probation, features, settings),
    };
  }
  const make = zscoreFactory(settings);
  const stage = settings.likelihood
    ? `, likelihood after ${settings.likelihood.warmupReadings} at ${settings.likelihood.threshold}`
    : ', plain';
  return {
    name: `zscore (z ${settings.zThreshold}, learn ${settings.learnReadings}${stage})`,
    model: null,
    create: () => make(),
  };
}

type Episode = { openAfter: number; closeAfter: number };

async function evaluateOnNab(
  options: EvaluateOptions,
  dir: string,
  candidate: Candidate,
  episode: Episode,
): Promise<void> {
  const files = await loadNabCorpus(resolve(dir), options.only);
  const progress = fileProgress(files.length, 'series');
  const result = await evaluateNab(
    files,
    (file, probation) =>
      candidate.create(
        ['value'],
        { deviceId: file.series.name, readings: file.readings },
        probation,
      ),
    episode,
    (file) => progress.increment({ item: file }),
  );
  progress.stop();
  const path = await writeNabReport(options.report, candidate.name, result);
  printNab(candidate.name, result, options.json);
  process.stderr.write(`report: ${path}\n`);
}

async function evaluateOnCsv(
  options: EvaluateOptions,
  csv: string,
  candidate: Candidate,
  episode: Episode,
): Promise<void> {
  const data = await readCsvSeries(resolve(csv), {
    delimiter: options.delimiter,
    timeColumn: options.timeColumn,
    deviceColumn: options.deviceColumn,
    features: candidate.model?.metadata.features,
    labelColumn: options.labelColumn,
  });
  const result = await evaluateCsv(
    data,
    (series) => candidate.create(data.features, series, 0),
    episode,
  );
  const path = await writeCsvReport(options.report, candidate.name, result);
  if (options.saveToModel && options.model) {
    await writeEvaluation(resolve(options.model), { dataset: csv, ...result.summary });
  }
  print(result.summary, options.json);
  process.stderr.write(`report: ${path}\n`);
  if (options.scoresCsv) {
    process.stderr.write(`scores: ${await writeScoresCsv(options.scoresCsv, result.devices)}\n`);
  }
}

function printNab(
  name: string,
  result: Awaited<ReturnType<typeof evaluateNab>>,
  json: boolean,
): void {
  const view = (s: typeof result.episodes) => ({
    score: Number(s.normalized.toFixed(2)),
    threshold: s.threshold,
    tp: s.tp,
    fp: s.fp,
    fn: s.fn,
  });
  const summary = {
    detector: name,
    series: result.scored.length,
    episode: result.episode,
    nabStandard: view(result.episodes),
    nabStandardEveryRow: view(result.rows),
    nabStandardAtThreshold1: view(result.atDefault),
  };
  print(summary, json);
}

function print(summary: object, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  for (const [key, value] of Object.entries(summary)) {
    process.stdout.write(
      `${key.padEnd(22)} ${typeof value === 'object' ? JSON.stringify(value) : value}\n`,
    );
  }
}
