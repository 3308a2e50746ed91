import { join } from 'node:path';
import { initTfBackend } from '../tf/tf-backend';
import {
  dropKeras3Keys,
  dtypePolicyName,
  keras2InboundNodes,
  keras2Layer,
  nestedTensorList,
  renameBatchShape,
  unprefixedWeightNames,
} from './keras3-topology';
import { loadModelArtifact } from './model-artifact';

const FIXTURES = join(__dirname, '../../../../test/fixtures/models/valid');
const policy = {
  module: 'keras',
  class_name: 'DTypePolicy',
  config: { name: 'float32' },
  registered_name: null,
};
const tensor = (layer: string) => ({
  class_name: '__keras_tensor__',
  config: { shape: [null, 8], dtype: 'float32', keras_history: [layer, 0, 0] },
});

describe('Keras 3 topology rewrites', () => {
  it('renames batch_shape to batch_input_shape, and leaves a Keras 2 config alone', () => {
    expect(renameBatchShape({ batch_shape: [null, 8], name: 'in' })).toEqual({
      batch_input_shape: [null, 8],
      name: 'in',
    });
    const keras2 = { batch_input_shape: [null, 8], name: 'in' };
    expect(renameBatchShape(keras2)).toBe(keras2);
  });

  it('turns a DTypePolicy object into its dtype name', () => {
    expect(dtypePolicyName(policy)).toBe('float32');
    expect(dtypePolicyName('float32')).toBe('float32');
    expect(dtypePolicyName({ class_name: 'Other', config: { name: 'x' } })).toEqual({
      class_name: 'Other',
      config: { name: 'x' },
    });
  });

  it('drops module, registered_name and build_config', () => {
    expect(
      dropKeras3Keys({
        module: 'keras.layers',
        class_name: 'Dense',
        config: {},
        registered_name: null,
        build_config: { input_shape: [null, 8] },
      }),
    ).toEqual({ class_name: 'Dense', config: {} });
  });

  it('turns args/kwargs inbound nodes into Keras 2 node lists', () => {
    expect(keras2InboundNodes([{ args: [tensor('in')], kwargs: {} }])).toEqual([
      [['in', 0, 0, {}]],
    ]);
    // Add/Concatenate take their inputs as one list argument.
    expect(
      keras2InboundNodes([{ args: [[tensor('a'), tensor('b')]], kwargs: { training: false } }]),
    ).toEqual([
      [
        ['a', 0, 0, { training: false }],
        ['b', 0, 0, { training: false }],
      ],
    ]);
    const keras2 = [[['in', 0, 0, {}]]];
    expect(keras2InboundNodes(keras2)).toEqual(keras2);
  });

  it('nests a bare input/output triple', () => {
    expect(nestedTensorList(['in', 0, 0])).toEqual([['in', 0, 0]]);
    expect(nestedTensorList([['in', 0, 0]])).toEqual([['in', 0, 0]]);
  });

  it('drops the model-name prefix of weight names only when every weight has it', () => {
    const spec = (name: string) => ({ name, shape: [1], dtype: 'float32' as const });
    expect(
      unprefixedWeightNames(
        [spec('sequential/dense/kernel'), spec('sequential/dense/bias')],
        'sequential',
      ),
    ).toEqual([spec('dense/kernel'), spec('dense/bias')]);
    const mixed = [spec('sequential/kernel'), spec('dense/bias')];
    expect(unprefixedWeightNames(mixed, 'sequential')).toBe(mixed);
  });

  it('rewrites nested objects: initializers and the layers of a model', () => {
    const layer = keras2Layer({
      module: 'keras.layers',
      class_name: 'Dense',
      registered_name: null,
      config: {
        name: 'dense',
        dtype: policy,
        kernel_initializer: {
          module: 'keras.initializers',
          class_name: 'GlorotUniform',
          config: { seed: null },
          registered_name: null,
        },
      },
      inbound_nodes: [{ args: [tensor('in')], kwargs: {} }],
    });
    expect(layer).toEqual({
      class_name: 'Dense',
      config: {
        name: 'dense',
        dtype: 'float32',
        kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } },
      },
      inbound_nodes: [[['in', 0, 0, {}]]],
    });
  });
});

describe('Keras 3 fixtures', () => {
  beforeAll(() => initTfBackend('wasm'));

  const windows = Float32Array.from([
    ...[0, 0, 0.02, 0.016, 0.04, 0.032, 0.06, 0.048],
    ...[3, -3, -3, 3, 3, -3, -3, 3],
    ...[0.5, 0.4, 0.55, 0.42, 0.6, 0.5, 0.58, 0.47],
  ]);

  async function errorsOf(name: string): Promise<Float32Array> {
    const model = await loadModelArtifact(join(FIXTURES, name, '1'));
    try {
      expect(model.layout).toBe('flat');
      return await model.squaredErrors(windows, 3);
    } finally {
      model.dispose();
    }
  }

  it.each(['keras3_dense', 'keras3_functional'])(
    '%s loads and scores exactly as the same weights in the Keras 2 layout',
    async (name) => {
      const keras2 = await errorsOf('keras_dense');
      const keras3 = await errorsOf(name);
      expect(keras3).toHaveLength(3 * 2);
      expect(Array.from(keras3)).toEqual(Array.from(keras2));
      // The scores mean something: a smooth window reconstructs far better than noise.
      expect(keras3[0] + keras3[1]).toBeLessThan((keras3[2] + keras3[3]) / 100);
    },
  );
});
