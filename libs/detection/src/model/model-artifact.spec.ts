import { join } from 'node:path';
import { DetectionException, DetectionExceptionCode } from '../detection.exception';
import { initTfBackend } from '../tf/tf-backend';
import { loadModelArtifact, readModelMetadata } from './model-artifact';

const FIXTURES = join(__dirname, '../../../../test/fixtures/models');

async function refusal(dir: string): Promise<DetectionException> {
  try {
    const model = await loadModelArtifact(join(FIXTURES, dir));
    model.dispose();
  } catch (error) {
    return error as DetectionException;
  }
  throw new Error(`${dir} loaded`);
}

describe('loadModelArtifact', () => {
  beforeAll(() => initTfBackend('wasm'));

  it('loads the Keras + tensorflowjs_converter fixture unchanged, with its metadata', async () => {
    const model = await loadModelArtifact(join(FIXTURES, 'valid/keras_dense/1'));
    try {
      expect(model.layout).toBe('flat');
      expect(model.metadata).toMatchObject({ name: 'keras_dense', version: '1', windowSize: 4 });
      expect(model.metadata.features).toEqual(['temp', 'hum']);
      // It reconstructs a window shaped like its training data far better than noise.
      const smooth = Float32Array.from([0, 0, 0.02, 0.016, 0.04, 0.032, 0.06, 0.048]);
      const rough = Float32Array.from([3, -3, -3, 3, 3, -3, -3, 3]);
      const errors = await model.squaredErrors(Float32Array.from([...smooth, ...rough]), 2);
      expect(errors).toHaveLength(2 * 2); // windows x features
      const [smoothError, roughError] = [errors[0] + errors[1], errors[2] + errors[3]];
      expect(smoothError).toBeLessThan(roughError / 100);
    } finally {
      model.dispose();
    }
  });

  it.each([
    ['invalid/bad_json/1', /model\.json is not valid JSON/],
    ['invalid/missing_weights/1', /weights missing: group1-shard1of1\.bin/],
    ['invalid/wrong_shape/1', /input shape \[null,8\] does not match 3 features x window 4/],
    ['invalid/graph_model/1', /graph model .*--output_format=tfjs_layers_model/],
  ])('refuses %s, naming the problem', async (dir, problem) => {
    const error = await refusal(dir);
    expect(error).toBeInstanceOf(DetectionException);
    expect(error.code).toBe(DetectionExceptionCode.INVALID_MODEL);
    expect(error.message).toMatch(problem);
  });

  it('refuses metadata whose name is not its directory', async () => {
    await expect(readModelMetadata(join(FIXTURES, 'valid/keras_dense'))).rejects.toThrow(
      /cannot be read|names keras_dense\/1/,
    );
  });
});
