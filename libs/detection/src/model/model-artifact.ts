import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DetectionException, DetectionExceptionCode } from '../detection.exception';
import { loadSubspaceModel } from '../subspace/subspace-model';
import { keras2Handler } from './keras3-topology';
import { InputLayout, LoadedModel } from './loaded-model';
import { ServedModel } from './served-model';
import { ModelMetadata, parseModelMetadata } from './model-metadata';

export const MODEL_FILE = 'model.json';
export const METADATA_FILE = 'metadata.json';

/**
 * A graph model (a converted SavedModel or frozen graph) is refused: scoring needs the input and
 * output shapes checked against the features and window, and per-feature errors, which a layers
 * model states and a graph model leaves to its signature. Converting the Keras model as layers is
 * one converter option away.
 */
export const GRAPH_MODEL_REFUSAL =
  'model.json is a TF.js graph model (format "graph-model"), which is not served; convert the ' +
  'Keras model (.keras or .h5) as a layers model: tensorflowjs_converter --input_format=keras ' +
  '--output_format=tfjs_layers_model model.keras <dir>';

interface WeightsGroup {
  paths: string[];
  weights: tf.io.WeightsManifestEntry[];
}

function invalid(dir: string, problem: string): DetectionException {
  return new DetectionException(
    DetectionExceptionCode.INVALID_MODEL,
    `model ${basename(join(dir, '..'))}/${basename(dir)}: ${problem}`,
  );
}

async function readText(dir: string, file: string): Promise<string> {
  try {
    return await readFile(join(dir, file), 'utf8');
  } catch (error) {
    throw invalid(
      dir,
      `${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? error})`,
    );
  }
}

/** Reads metadata.json only (listing the registry needs no TF.js). */
export async function readModelMetadata(dir: string): Promise<ModelMetadata> {
  const parsed = parseModelMetadata(await readText(dir, METADATA_FILE));
  if (!parsed.ok) throw invalid(dir, parsed.problem);
  const { name, version } = parsed.metadata;
  if (name !== basename(join(dir, '..')) || version !== basename(dir)) {
    throw invalid(dir, `metadata.json names ${name}/${version}, not its own directory`);
  }
  return parsed.metadata;
}

/**
 * Loads a TF.js layers-format model (what tensorflowjs_converter writes for a Keras model, and
 * what the trainer writes) with its metadata.json, and checks that it can serve its features.
 * Every problem is a DetectionException INVALID_MODEL naming it.
 */
export async function loadModelArtifact(dir: string): Promise<LoadedModel> {
  const metadata = await readModelMetadata(dir);
  if (metadata.kind !== 'autoencoder') throw invalid(dir, `is a ${metadata.kind} model, not TF.js`);
  return loadLayersModel(dir, metadata);
}

/** Loads whatever kind of model the version is (metadata.kind): what the registry serves. */
export async function loadServedModel(dir: string): Promise<ServedModel> {
  const metadata = await readModelMetadata(dir);
  if (metadata.kind === 'subspace') return loadSubspaceModel(dir, metadata);
  return loadLayersModel(dir, metadata);
}

async function loadLayersModel(dir: string, metadata: ModelMetadata): Promise<LoadedModel> {
  const modelJson = parseModelJson(dir, await readText(dir, MODEL_FILE));
  const weightSpecs = modelJson.weightsManifest.flatMap((group) => group.weights);
  const weightData = await readWeights(dir, modelJson.weightsManifest, weightSpecs);
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(
      keras2Handler(
        tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs, weightData }),
      ),
    );
  } catch (error) {
    throw invalid(dir, `model.json does not load: ${(error as Error).message}`);
  }
  try {
    return new LoadedModel(metadata, model, layoutOf(dir, model, metadata));
  } catch (error) {
    model.dispose();
    throw error;
  }
}

function parseModelJson(
  dir: string,
  text: string,
): { modelTopology: object; weightsManifest: WeightsGroup[] } {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw invalid(dir, `model.json is not valid JSON: ${(error as Error).message}`);
  }
  if (raw === null || typeof raw !== 'object') throw invalid(dir, 'model.json is not an object');
  if (raw.format === 'graph-model') throw invalid(dir, GRAPH_MODEL_REFUSAL);
  if (raw.format !== undefined && raw.format !== 'layers-model') {
    throw invalid(
      dir,
      `model.json has format "${String(raw.format)}"; only layers-model is served`,
    );
  }
  if (raw.modelTopology === null || typeof raw.modelTopology !== 'object') {
    throw invalid(dir, 'model.json has no modelTopology');
  }
  const manifest = raw.weightsManifest;
  const wellFormed =
    Array.isArray(manifest) &&
    manifest.every(
      (g: WeightsGroup) =>
        Array.isArray(g?.paths) &&
        g.paths.every((p) => typeof p === 'string') &&
        Array.isArray(g.weights),
    );
  if (!wellFormed) throw invalid(dir, 'model.json has no valid weightsManifest');
  return { modelTopology: raw.modelTopology, weightsManifest: manifest as WeightsGroup[] };
}

async function readWeights(
  dir: string,
  groups: WeightsGroup[],
  specs: tf.io.WeightsManifestEntry[],
): Promise<ArrayBuffer> {
  const buffers: Buffer[] = [];
  for (const path of groups.flatMap((g) => g.paths)) {
    if (path.includes('..') || path.startsWith('/'))
      throw invalid(dir, `weight path ${path} leaves the model directory`);
    try {
      buffers.push(await readFile(join(dir, path)));
    } catch {
      throw invalid(dir, `weights missing: ${path}`);
    }
  }
  const data = Buffer.concat(buffers);
  const expected = specs.reduce((sum, spec) => sum + byteSize(spec), 0);
  if (data.byteLength !== expected) {
    throw invalid(dir, `weights hold ${data.byteLength} bytes, the manifest needs ${expected}`);
  }
  return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
}

function byteSize(spec: tf.io.WeightsManifestEntry): number {
  const count = spec.shape.reduce((a, b) => a * b, 1);
  if (spec.quantization) {
    return count * (spec.quantization.dtype === 'uint8' ? 1 : 2); // uint16 and float16: 2 bytes
  }
  return count * (spec.dtype === 'bool' ? 1 : 4);
}

/** The input must take exactly windowSize x features, and the output must reconstruct it. */
function layoutOf(dir: string, model: tf.LayersModel, meta: ModelMetadata): InputLayout {
  const w = meta.windowSize;
  const f = meta.features.length;
  const input = model.inputs.length === 1 ? model.inputs[0].shape : null;
  const output = model.outputs.length === 1 ? model.outputs[0].shape : null;
  const same = (a: readonly (number | null)[], b: readonly (number | null)[]) =>
    a.length === b.length && a.every((v, i) => v === b[i]);
  let layout: InputLayout | null = null;
  if (input && same(input, [null, w * f])) layout = 'flat';
  else if (input && same(input, [null, w, f])) layout = 'sequence';
  if (layout === null) {
    throw invalid(
      dir,
      `input shape ${JSON.stringify(input)} does not match ${f} features x window ${w} ` +
        `(expected [null,${w * f}] or [null,${w},${f}])`,
    );
  }
  if (!output || !same(output, input!)) {
    throw invalid(
      dir,
      `output shape ${JSON.stringify(output)} does not reconstruct the input ${JSON.stringify(input)}`,
    );
  }
  return layout;
}
