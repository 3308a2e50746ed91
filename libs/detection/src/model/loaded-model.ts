import * as tf from '@tensorflow/tfjs';
import { ModelMetadata } from './model-metadata';

/** How the model takes a window: flat [batch, window*features] (dense) or [batch, window, features]. */
export type InputLayout = 'flat' | 'sequence';

/** What leaves the lib of a loaded model: no TF.js types (DESIGN.md). */
export interface ServableModel {
  readonly metadata: ModelMetadata;
  readonly key: string;
  dispose(): void;
}

/**
 * A model ready to score: its metadata and a predict over plain Float32Arrays, rows laid out
 * window-major ([t][feature]). TF.js tensors never leave this class, and every one is disposed.
 */
export class LoadedModel implements ServableModel {
  private disposed = false;

  constructor(
    readonly metadata: ModelMetadata,
    private readonly model: tf.LayersModel,
    readonly layout: InputLayout,
  ) {}

  /** Values per window: windowSize x features. */
  get rowLength(): number {
    return this.metadata.windowSize * this.metadata.features.length;
  }

  /**
   * One predict for `rows` windows packed in `input`; returns each window's squared
   * reconstruction error per feature, summed over the window: `rows` x features values. The
   * error is reduced inside TF.js, so only those come back, not the whole reconstruction.
   * `input` is read before the returned promise is created (only the result is read back later).
   */
  async squaredErrors(input: Float32Array, rows: number): Promise<Float32Array> {
    if (this.disposed) throw new Error(`model ${this.key} was unloaded`);
    const { windowSize, features } = this.metadata;
    const shape: number[] =
      this.layout === 'flat' ? [rows, this.rowLength] : [rows, windowSize, features.length];
    // predictOnBatch: predict() would cut the rows into batches of 32 and concatenate them again,
    // which made it ~5x slower at 512 rows and slower still as the batch grew.
    const errors = tf.tidy(() => {
      const x = tf.tensor(input.subarray(0, rows * this.rowLength), shape, 'float32');
      const y = this.model.predictOnBatch(x) as tf.Tensor;
      return tf.squaredDifference(y, x).reshape([rows, windowSize, features.length]).sum(1);
    });
    try {
      return (await errors.data()) as Float32Array;
    } finally {
      errors.dispose();
    }
  }

  get key(): string {
    return `${this.metadata.name}/${this.metadata.version}`;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.model.dispose();
  }
}
