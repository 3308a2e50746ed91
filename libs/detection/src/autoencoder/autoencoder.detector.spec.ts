import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { DeviceWindow } from '../detector.port';
import { LoadedModel } from '../model/loaded-model';
import { loadModelArtifact } from '../model/model-artifact';
import { ModelMetadata } from '../model/model-metadata';
import { describeDetectorContract } from '../testing/detector-contract';
import { initTfBackend } from '../tf/tf-backend';
import { AutoencoderDetector, DeviceModelState } from './autoencoder.detector';

const FIXTURE = join(__dirname, '../../../../test/fixtures/models/valid/keras_dense/1');
const T0 = Date.UTC(2026, 0, 1);

let keras: LoadedModel;

beforeAll(async () => {
  await initTfBackend('wasm');
  keras = await loadModelArtifact(FIXTURE);
});
afterAll(() => keras.dispose());

// Window 4, global normalisation: the first 3 readings of a device fill its window.
describeDetectorContract(AutoencoderDetector.name, {
  create: () => new AutoencoderDetector(keras),
  learnReadings: 3,
});

/** A 1-value identity-ish model: the smallest thing that still runs a real predict. */
function tinyModel(): LoadedModel {
  const network = tf.sequential();
  network.add(tf.layers.dense({ inputShape: [1], units: 1, kernelInitializer: 'ones' }));
  const metadata: ModelMetadata = {
    name: 'tiny',
    version: '1',
    features: ['x'],
    windowSize: 1,
    normalization: { mode: 'global', mean: [0], std: [1], calibrationReadings: 2 },
    threshold: 1,
    maxCarryForward: 0,
    trainedOn: {},
    evaluation: null,
    createdAt: new Date(T0).toISOString(),
  };
  return new LoadedModel(metadata, network, 'flat');
}

describe(AutoencoderDetector.name, () => {
  it('names the model version and scores a fault over 1.0 with the faulty metric first', async () => {
    const detector = new AutoencoderDetector(keras);
    expect(detector).toMatchObject({ id: 'keras_dense', version: '1' });
    const normal = Array.from({ length: 8 }, (_, i) => ({
      temp: 21 + 0.02 * i,
      hum: 40 + 0.032 * i,
    }));
    const windows = (values: Record<string, number>[], from: number): DeviceWindow[] =>
      values.map((v, i) => ({ deviceId: 'd', reading: { ts: T0 + (from + i) * 1000, values: v } }));
    const quiet = await detector.scoreBatch(windows(normal, 0));
    expect(quiet.slice(3).every((s) => s !== null && s.score < 1)).toBe(true);
    const [fault] = await detector.scoreBatch(windows([{ temp: 21.2, hum: 52 }], 8));
    expect(fault!.score).toBeGreaterThan(1);
    expect(fault!.contributions[0].name).toBe('hum');
    expect(fault!.source).toEqual({
      id: 'keras_dense',
      version: '1',
      threshold: keras.metadata.threshold,
      episode: { openAfter: 1, closeAfter: 3 },
    });
  });

  it('re-scales a kept window with the scaling of a model swapped in', () => {
    const withScaling = (mean: number, std: number) =>
      ({
        metadata: {
          ...tinyModel().metadata,
          windowSize: 2,
          normalization: { mode: 'global', mean: [mean], std: [std], calibrationReadings: 2 },
        },
      }) as LoadedModel;
    const rows = (state: DeviceModelState) => {
      const out = new Float32Array(2);
      state.window.copyScaled(out, 0);
      return Array.from(out);
    };
    const state = new DeviceModelState(withScaling(0, 1));
    state.push({ x: 4 });
    expect(state.ready).toBe(false); // window of 2 still filling
    state.push({ x: 6 });
    expect(state.ready).toBe(true);
    expect(rows(state)).toEqual([4, 6]);
    const window = state.window;
    state.adopt(withScaling(2, 2));
    state.push({ x: 8 });
    expect(state.window).toBe(window); // same features and size: kept
    expect(rows(state)).toEqual([2, 3]); // (6 - 2) / 2 and (8 - 2) / 2
  });

  it('leaks no tensor: numTensors after 1M scored windows equals that after 1k', async () => {
    const model = tinyModel();
    const detector = new AutoencoderDetector(model);
    const batch = (size: number, from: number): DeviceWindow[] =>
      Array.from({ length: size }, (_, i) => ({
        deviceId: `dev-${i % 1000}`,
        reading: { ts: T0 + from + i, values: { x: (i % 7) - 3 } },
      }));
    await detector.scoreBatch(batch(1000, 0));
    const after1k = tf.memory().numTensors;
    let scored = 1000;
    while (scored < 1_000_000) {
      const size = Math.min(16_000, 1_000_000 - scored);
      const results = await detector.scoreBatch(batch(size, scored));
      expect(results[size - 1]).not.toBeNull();
      scored += size;
    }
    expect(tf.memory().numTensors).toBe(after1k);
    model.dispose();
  });
});
