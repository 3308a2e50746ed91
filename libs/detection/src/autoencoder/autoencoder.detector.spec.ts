import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { DeviceWindow } from '../detector.port';
import { LoadedModel } from '../model/loaded-model';
import { loadModelArtifact } from '../model/model-artifact';
import { ModelMetadata } from '../model/model-metadata';
import { describeDetectorContract } from '../testing/detector-contract';
import { initTfBackend } from '../tf/tf-backend';
import { seededGaussian } from '../util/seeded-random';
import { AutoencoderDetector, DeviceModelState } from './autoencoder.detector';

const FIXTURE = join(__dirname, '../../../../test/fixtures/models/valid/keras_dense/1');
const T0 = Date.UTC(2026, 0, 1);

let keras: LoadedModel;

beforeAll(async () => {
  await initTfBackend('wasm');
  keras = await loadModelArtifact(FIXTURE);
});
afterAll(() => keras.dispose());

// Window 4, global normalisation: the first 3 readings of a device fill its window, and the next
// 33 windows (a third of its 100 calibration readings) learn the device's own limits.
const LEARN = 3 + 33;
describeDetectorContract(AutoencoderDetector.name, {
  create: () => new AutoencoderDetector(keras),
  learnReadings: LEARN,
});

/** A 1-value identity-ish model: the smallest thing that still runs a real predict. */
function tinyModel(): LoadedModel {
  const network = tf.sequential();
  network.add(tf.layers.dense({ inputShape: [1], units: 1, kernelInitializer: 'ones' }));
  const metadata: ModelMetadata = {
    name: 'tiny',
    kind: 'autoencoder',
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
    const normal = Array.from({ length: LEARN + 5 }, (_, i) => ({
      temp: 21 + 0.02 * Math.sin(i / 3) + 0.01 * ((i * 7) % 5),
      hum: 40 + 0.032 * Math.sin(i / 3) + 0.02 * ((i * 3) % 4),
    }));
    const windows = (values: Record<string, number>[], from: number): DeviceWindow[] =>
      values.map((v, i) => ({ deviceId: 'd', reading: { ts: T0 + (from + i) * 1000, values: v } }));
    const quiet = await detector.scoreBatch(windows(normal, 0));
    expect(quiet.slice(0, LEARN).every((s) => s === null)).toBe(true);
    expect(quiet.slice(LEARN).every((s) => s !== null && s.score < 1)).toBe(true);
    const [fault] = await detector.scoreBatch(windows([{ temp: 21.2, hum: 52 }], LEARN + 5));
    expect(fault!.score).toBeGreaterThan(1);
    expect(fault!.contributions[0].name).toBe('hum');
    expect(fault!.source).toEqual({
      id: 'keras_dense',
      version: '1',
      threshold: keras.metadata.threshold,
      episode: { openAfter: 1, closeAfter: 3 },
    });
  });

  it('judges a device whose normal differs from the training fleet against its own limits', async () => {
    const detector = new AutoencoderDetector(keras);
    const noise = seededGaussian(7, 0, 1);
    // Offset and three times noisier than what the model was trained on.
    const normal = Array.from({ length: LEARN + 400 }, (_, i) => ({
      temp: 22 + 0.3 * Math.sin(i / 5) + 0.3 * noise(),
      hum: 43 + 0.5 * Math.sin(i / 5) + 0.6 * noise(),
    }));
    const windows = normal.map((values, i) => ({
      deviceId: 'other-site',
      reading: { ts: T0 + i * 1000, values },
    }));
    const scores = (await detector.scoreBatch(windows)).slice(LEARN);
    // The training threshold would alarm on nearly every window of this device.
    const input = new Float32Array(8);
    const overFleet = await Promise.all(
      normal.slice(LEARN, LEARN + 100).map(async (_, k) => {
        const rows = normal.slice(LEARN + k - 3, LEARN + k + 1);
        rows.forEach((r, t) => {
          input[2 * t] = (r.temp - 21) / 1;
          input[2 * t + 1] = (r.hum - 40) / 2;
        });
        const errors = await keras.squaredErrors(input, 1);
        return (errors[0] + errors[1]) / 8 > keras.metadata.threshold;
      }),
    );
    expect(overFleet.filter(Boolean).length).toBeGreaterThan(90);
    // Its own limits: few alarms on its normal, and a fault still stands out.
    expect(scores.filter((s) => s!.score > 1).length).toBeLessThan(scores.length * 0.05);
    const [fault] = await detector.scoreBatch([
      { deviceId: 'other-site', reading: { ts: T0 + 10_000_000, values: { temp: 22, hum: 60 } } },
    ]);
    expect(fault!.score).toBeGreaterThan(1);
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
