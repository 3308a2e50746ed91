import { Command, InvalidArgumentError, Option } from 'commander';
import { initTfBackend } from '@iag/detection';
import { importModel } from '@iag/detection-lab';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { integer, list, number } from '../cli-options';

interface ImportCommandOptions {
  model: string;
  name: string;
  modelsDir: string;
  features: string[];
  window: number;
  normalization: unknown;
  threshold: number;
  openAfter?: number;
  closeAfter?: number;
  note?: string;
}

/** `--normalization` takes the JSON itself or a file holding it. */
export function normalizationJson(value: string): unknown {
  const inline = value.trim().startsWith('{');
  if (!inline && !existsSync(value)) {
    throw new InvalidArgumentError(
      'must be JSON ({"mode":..., "mean":[...], "std":[...]}) or a file holding it',
    );
  }
  const text = inline ? value : readFileSync(value, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InvalidArgumentError(`is not valid JSON: ${(error as Error).message}`);
  }
}

export function importCommand(): Command {
  return new Command('import')
    .description(
      'Import a model trained elsewhere (a Keras model converted with tensorflowjs_converter) as the next version of models/NAME/: writes its metadata.json and checks it by scoring a window',
    )
    .requiredOption(
      '--model <dir>',
      "the converter's output directory: model.json and weight shards",
    )
    .requiredOption('--name <name>', 'model name = the profile it serves, e.g. default')
    .requiredOption(
      '--features <names>',
      'the metrics the model reads, in its input order (comma-separated)',
      list,
    )
    .requiredOption('--window <n>', 'readings per window the model takes', integer(1, 1024))
    .requiredOption(
      '--normalization <json>',
      'how inputs were scaled in training: {"mode":"global"|"per-device","mean":[...],"std":[...],"calibrationReadings":n} (inline or a file)',
      normalizationJson,
    )
    .requiredOption(
      '--threshold <x>',
      'mean squared reconstruction error (normalised) that scores 1.0',
      number(0, Number.MAX_VALUE, { exclusiveMin: true }),
    )
    .addOption(
      new Option('--models-dir <dir>', 'model registry root').env('MODELS_DIR').default('models'),
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
    .option('--note <text>', 'free text stored in metadata.trainedOn (where the model comes from)')
    .action((options: ImportCommandOptions) => runImport(options));
}

async function runImport(options: ImportCommandOptions): Promise<void> {
  await initTfBackend('auto', (m) => process.stderr.write(`${m}\n`));
  const episode =
    options.openAfter || options.closeAfter
      ? { openAfter: options.openAfter ?? 1, closeAfter: options.closeAfter ?? 5 }
      : undefined;
  const result = await importModel({
    source: resolve(options.model),
    modelsDir: resolve(options.modelsDir),
    name: options.name,
    features: options.features,
    windowSize: options.window,
    normalization: options.normalization,
    threshold: options.threshold,
    episode,
    trainedOn: options.note ? { note: options.note } : undefined,
  });
  const error =
    result.check.reduce((a, b) => a + b, 0) / (options.window * options.features.length);
  process.stderr.write(
    `imported as ${options.name}/${result.version}; a window at the feature means scores ${(error / options.threshold).toPrecision(3)}\n`,
  );
  process.stdout.write(`${result.dir}\n`);
}
