import * as tf from '@tensorflow/tfjs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { METADATA_FILE, MODEL_FILE, ModelMetadata } from '@iag/detection';
import { writeVersionDir } from './version-dir';

export const WEIGHTS_FILE = 'group1-shard1of1.bin';

/**
 * Writes `network` as a TF.js layers-format artifact (model.json + one weight shard, the files
 * tensorflowjs_converter and tfjs's own file handler write) plus metadata.json. The version
 * directory appears whole or not at all (written aside, then renamed).
 */
export function writeModelArtifact(
  dir: string,
  network: tf.LayersModel,
  metadata: ModelMetadata,
): Promise<void> {
  return writeVersionDir(dir, async (staging) => {
    await network.save(
      tf.io.withSaveHandler(async (artifacts) => {
        const weightData = artifacts.weightData;
        const bytes = Buffer.from(
          weightData instanceof ArrayBuffer
            ? weightData
            : tf.io.concatenateArrayBuffers(weightData!),
        );
        const modelJson = {
          format: 'layers-model',
          generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
          convertedBy: artifacts.convertedBy ?? null,
          modelTopology: artifacts.modelTopology,
          weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
        };
        await writeFile(join(staging, MODEL_FILE), JSON.stringify(modelJson));
        await writeFile(join(staging, WEIGHTS_FILE), bytes);
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
      }),
    );
    await writeFile(join(staging, METADATA_FILE), `${JSON.stringify(metadata, null, 2)}\n`);
  });
}
