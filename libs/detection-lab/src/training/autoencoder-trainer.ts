import * as tf from '@tensorflow/tfjs';
import { NormalizationMode } from '@iag/contracts';
import { LabException, LabExceptionCode } from '../lab.exception';
import {
  DEFAULT_MAX_CARRY_FORWARD,
  LoadedModel,
  ModelMetadata,
  seededRandom,
  ServableModel,
} from '@iag/detection';
import { writeModelArtifact } from '../model/model-writer';
import { quantile } from './quantile';
import { buildWindows, DeviceSeries, globalScaling } from './window-dataset';

export interface TrainOptions {
  name: string;
  version: string;
  features: string[];
  windowSize: number;
  normalization: NormalizationMode;
  calibrationReadings: number;
  epochs: number;
  batchSize: number;
  validationSplit: number;
  /** Epochs without a better validation loss before training stops. 0: never stop early. */
  patience: number;
  seed: number;
  /** The threshold is this quantile of the validation windows' reconstruction error. */
  thresholdQuantile: number;
  learningRate?: number;
  /** Width of the bottleneck; default about a quarter of the window's values. */
  bottleneck?: number;
  maxCarryForward?: number;
  episode?: { openAfter: number; closeAfter: number };
  trainedOn?: Record<string, unknown>;
  /** Called after every epoch (progress bars). */
  onEpoch?: (epoch: number, loss: number, valLoss: number) => void;
}

export interface TrainResult {
  /** Ready to score (the trainer's preview and NAB runs); dispose() when done. */
  model: ServableModel;
  /** Writes the model as a layers-format artifact with its metadata into a new version directory. */
  save(dir: string): Promise<void>;
  history: { loss: number[]; valLoss: number[] };
  windows: { train: number; validation: number };
  /** Reconstruction error (MSE) of each validation window. */
  validationErrors: Float64Array;
}

/** A dense autoencoder over a flattened window: input -> hidden -> bottleneck -> hidden -> input. */
export function buildAutoencoder(
  inputSize: number,
  options: { seed: number; bottleneck?: number; learningRate?: number },
): tf.LayersModel {
  const hidden = Math.max(4, Math.round(inputSize / 2));
  const bottleneck = options.bottleneck ?? Math.max(2, Math.round(inputSize / 4));
  const init = (k: number) => tf.initializers.glorotUniform({ seed: options.seed + k });
  const model = tf.sequential();
  model.add(
    tf.layers.dense({
      inputShape: [inputSize],
      units: hidden,
      activation: 'relu',
      kernelInitializer: init(1),
    }),
  );
  model.add(tf.layers.dense({ units: bottleneck, activation: 'relu', kernelInitializer: init(2) }));
  model.add(tf.layers.dense({ units: hidden, activation: 'relu', kernelInitializer: init(3) }));
  model.add(
    tf.layers.dense({ units: inputSize, activation: 'linear', kernelInitializer: init(4) }),
  );
  model.compile({
    optimizer: tf.train.adam(options.learningRate ?? 0.001),
    loss: 'meanSquaredError',
  });
  return model;
}

/** Trains an autoencoder on device series and returns it ready to serve, with its metadata. */
export async function trainAutoencoder(
  series: DeviceSeries[],
  options: TrainOptions,
): Promise<TrainResult> {
  const { mean, std, counts } = globalScaling(series, options.features);
  const missing = options.features.filter((_, i) => counts[i] === 0);
  if (missing.length > 0) {
    throw new LabException(
      LabExceptionCode.INVALID_OPTIONS,
      `no values for feature(s) ${missing.join(', ')}`,
    );
  }
  const maxCarryForward = options.maxCarryForward ?? DEFAULT_MAX_CARRY_FORWARD;
  const windows = buildWindows(series, {
    features: options.features,
    windowSize: options.windowSize,
    maxCarryForward,
    mode: options.normalization,
    calibrationReadings: options.calibrationReadings,
    mean,
    std,
  });
  const width = options.windowSize * options.features.length;
  const { train, validation } = split(
    windows.data,
    windows.rows,
    width,
    options.validationSplit,
    options.seed,
  );
  if (train.rows < 2 || validation.rows < 1) {
    throw new LabException(
      LabExceptionCode.INVALID_OPTIONS,
      `too little data: ${windows.rows} windows of ${options.windowSize} readings (need at least 3)`,
    );
  }
  const network = buildAutoencoder(width, options);
  const history = await fit(network, train, validation, width, options);
  const validationErrors = reconstructionErrors(network, validation.data, validation.rows, width);
  const threshold = Math.max(quantile(validationErrors, options.thresholdQuantile), 1e-9);
  const metadata: ModelMetadata = {
    name: options.name,
    kind: 'autoencoder',
    version: options.version,
    features: options.features,
    windowSize: options.windowSize,
    normalization: {
      mode: options.normalization,
      mean,
      std,
      calibrationReadings: options.calibrationReadings,
    },
    threshold,
    ...(options.episode ? { episode: options.episode } : {}),
    maxCarryForward,
    trainedOn: {
      ...options.trainedOn,
      devices: series.length,
      readings: series.reduce((sum, s) => sum + s.readings.length, 0),
      windows: windows.rows,
      epochs: history.loss.length,
      thresholdQuantile: options.thresholdQuantile,
      seed: options.seed,
    },
    evaluation: null,
    createdAt: new Date().toISOString(),
  };
  return {
    model: new LoadedModel(metadata, network, 'flat'),
    save: (dir) => writeModelArtifact(dir, network, metadata),
    history,
    windows: { train: train.rows, validation: validation.rows },
    validationErrors,
  };
}

function split(data: Float32Array, rows: number, width: number, fraction: number, seed: number) {
  const order = Array.from({ length: rows }, (_, i) => i);
  const random = seededRandom(seed);
  for (let i = rows - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const validationRows = Math.max(1, Math.round(rows * fraction));
  const pick = (indexes: number[]) => {
    const out = new Float32Array(indexes.length * width);
    indexes.forEach((row, k) => out.set(data.subarray(row * width, (row + 1) * width), k * width));
    return { data: out, rows: indexes.length };
  };
  return {
    validation: pick(order.slice(0, validationRows)),
    train: pick(order.slice(validationRows)),
  };
}

async function fit(
  network: tf.LayersModel,
  train: { data: Float32Array; rows: number },
  validation: { data: Float32Array; rows: number },
  width: number,
  options: TrainOptions,
): Promise<{ loss: number[]; valLoss: number[] }> {
  const x = tf.tensor2d(train.data, [train.rows, width]);
  const vx = tf.tensor2d(validation.data, [validation.rows, width]);
  const loss: number[] = [];
  const valLoss: number[] = [];
  let best = Infinity;
  let stale = 0;
  try {
    await network.fit(x, x, {
      epochs: options.epochs,
      batchSize: options.batchSize,
      validationData: [vx, vx],
      shuffle: false, // the windows were shuffled once with the seed: runs repeat exactly
      verbose: 0,
      callbacks: {
        onEpochEnd: async (epoch, logs) => {
          const l = logs?.loss ?? NaN;
          const v = logs?.val_loss ?? NaN;
          loss.push(l);
          valLoss.push(v);
          options.onEpoch?.(epoch, l, v);
          // Early stopping on the validation loss (patience epochs without improvement).
          if (v < best - 1e-7) {
            best = v;
            stale = 0;
          } else if (options.patience > 0 && ++stale >= options.patience) {
            network.stopTraining = true;
          }
        },
      },
    });
  } finally {
    x.dispose();
    vx.dispose();
  }
  return { loss, valLoss };
}

/** Per-window mean squared reconstruction error, predicted in chunks. */
export function reconstructionErrors(
  network: tf.LayersModel,
  data: Float32Array,
  rows: number,
  width: number,
): Float64Array {
  const errors = new Float64Array(rows);
  const chunk = 4096;
  for (let start = 0; start < rows; start += chunk) {
    const n = Math.min(chunk, rows - start);
    const input = data.subarray(start * width, (start + n) * width);
    const output = tf.tidy(() =>
      (network.predictOnBatch(tf.tensor2d(input, [n, width])) as tf.Tensor).dataSync(),
    );
    for (let r = 0; r < n; r++) {
      let sum = 0;
      for (let k = 0; k < width; k++) {
        const d = input[r * width + k] - output[r * width + k];
        sum += d * d;
      }
      errors[start + r] = sum / width;
    }
  }
  return errors;
}
