import {
  LoadedModel,
  loadServedModel,
  METADATA_FILE,
  MODEL_FILE,
  nextVersion,
  parseModelMetadata,
} from '@iag/detection';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import { LabException, LabExceptionCode } from '../lab.exception';

/** A model trained elsewhere (a converted Keras model), and what the gateway must know to serve it. */
export interface ImportOptions {
  /** The directory tensorflowjs_converter wrote: model.json and its weight shards. */
  source: string;
  modelsDir: string;
  name: string;
  features: string[];
  windowSize: number;
  /** `{mode, mean, std, calibrationReadings?}` as the model was trained on. */
  normalization: unknown;
  threshold: number;
  episode?: { openAfter: number; closeAfter: number };
  trainedOn?: Record<string, unknown>;
}

export interface ImportResult {
  dir: string;
  version: string;
  /** The check: squared reconstruction error per feature of a window at the mean of every feature. */
  check: number[];
}

function refuse(message: string): LabException {
  return new LabException(LabExceptionCode.INVALID_OPTIONS, message);
}

/**
 * Copies a converted model into the next version of `name`, with a metadata.json built from the
 * options, then loads it as the gateway would (Keras 3 layouts included; shapes checked against
 * the features and window) and scores one window. Only a version that passes appears in the
 * registry: it is assembled in a hidden directory and renamed into place.
 */
export async function importModel(options: ImportOptions): Promise<ImportResult> {
  const weightFiles = await sourceFiles(options.source);
  const version = nextVersion(options.modelsDir, options.name);
  const staging = join(options.modelsDir, `.import-${process.pid}`);
  const stagedDir = join(staging, options.name, version);
  await rm(staging, { recursive: true, force: true });
  await mkdir(stagedDir, { recursive: true });
  try {
    for (const file of [MODEL_FILE, ...weightFiles]) {
      await mkdir(join(stagedDir, file, '..'), { recursive: true });
      await copyFile(join(options.source, file), join(stagedDir, file));
    }
    await writeFile(join(stagedDir, METADATA_FILE), metadataText(options, version));
    const check = await scoreOneWindow(stagedDir);
    const dir = join(options.modelsDir, options.name, version);
    await mkdir(join(dir, '..'), { recursive: true });
    await rename(stagedDir, dir);
    return { dir, version, check };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** The weight shards model.json names; every one must be there, inside the directory. */
async function sourceFiles(source: string): Promise<string[]> {
  const modelFile = join(source, MODEL_FILE);
  if (!existsSync(modelFile)) {
    throw refuse(
      `${source} has no ${MODEL_FILE} (give the directory tensorflowjs_converter wrote)`,
    );
  }
  let manifest: unknown;
  try {
    manifest = (JSON.parse(await readFile(modelFile, 'utf8')) as { weightsManifest?: unknown })
      .weightsManifest;
  } catch (error) {
    throw refuse(`${modelFile} is not valid JSON: ${(error as Error).message}`);
  }
  const paths = Array.isArray(manifest)
    ? manifest.flatMap((group: { paths?: unknown }) =>
        Array.isArray(group?.paths) ? group.paths.map(String) : [],
      )
    : [];
  for (const path of paths) {
    if (normalize(path).startsWith('..') || path.startsWith('/')) {
      throw refuse(`${modelFile} names weights outside its directory: ${path}`);
    }
    if (!existsSync(join(source, path))) {
      throw refuse(`${source} lacks ${path}, a weight file its ${MODEL_FILE} names`);
    }
  }
  return paths;
}

function metadataText(options: ImportOptions, version: string): string {
  const normalization = options.normalization;
  const metadata = {
    name: options.name,
    version,
    kind: 'autoencoder',
    features: options.features,
    windowSize: options.windowSize,
    normalization:
      normalization !== null && typeof normalization === 'object'
        ? { calibrationReadings: 100, ...normalization }
        : normalization,
    threshold: options.threshold,
    ...(options.episode ? { episode: options.episode } : {}),
    trainedOn: { source: 'import', from: options.source, ...options.trainedOn },
    evaluation: null,
    createdAt: new Date().toISOString(),
  };
  const text = `${JSON.stringify(metadata, null, 2)}\n`;
  const parsed = parseModelMetadata(text);
  if (!parsed.ok) throw refuse(parsed.problem.replace(/^metadata\.json: /, 'bad options: '));
  return text;
}

/** Loads the staged version as the registry would and scores one window, which must come out finite. */
async function scoreOneWindow(dir: string): Promise<number[]> {
  const model = await loadServedModel(dir);
  try {
    if (!(model instanceof LoadedModel)) throw refuse(`${dir} is not an autoencoder`);
    const errors = Array.from(await model.squaredErrors(new Float32Array(model.rowLength), 1));
    if (!errors.every(Number.isFinite)) {
      throw refuse(`the model scores a window as ${errors.join(', ')}: not finite numbers`);
    }
    return errors;
  } finally {
    model.dispose();
  }
}
