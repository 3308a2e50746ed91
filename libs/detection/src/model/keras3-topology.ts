import type * as tf from '@tensorflow/tfjs';

/**
 * Keras 3 (TensorFlow >= 2.16) writes a model config that tfjs-layers 4 cannot parse
 * (tensorflow/tfjs#8328, #8321): tensorflowjs_converter copies it into model.json as it is. These
 * rewrites turn it into the Keras 2 layout tfjs reads, touching nothing a Keras 2 export holds, so
 * every model.json goes through them. Each rewrite is one function, tested on its own.
 */

type Json = unknown;
type JsonObject = Record<string, Json>;

function isObject(value: Json): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Keras 3's InputLayer takes `batch_shape`; tfjs knows only Keras 2's `batch_input_shape`. */
export function renameBatchShape(layerConfig: JsonObject): JsonObject {
  if (!('batch_shape' in layerConfig) || 'batch_input_shape' in layerConfig) return layerConfig;
  const { batch_shape: batchShape, ...rest } = layerConfig;
  return { ...rest, batch_input_shape: batchShape };
}

/**
 * Keras 3 writes a layer's dtype as a policy object
 * (`{"module":"keras","class_name":"DTypePolicy","config":{"name":"float32"},...}`); tfjs wants
 * the dtype name. A mixed policy ("mixed_float16") is kept as its name, which tfjs then refuses
 * by name rather than with a parse error.
 */
export function dtypePolicyName(dtype: Json): Json {
  if (!isObject(dtype)) return dtype;
  const className = dtype.class_name;
  const config = dtype.config;
  if (
    (className === 'DTypePolicy' || className === 'FloatDTypePolicy') &&
    isObject(config) &&
    typeof config.name === 'string'
  ) {
    return config.name;
  }
  return dtype;
}

/**
 * Keras 3's serialised objects carry `module` and `registered_name` beside `class_name`, and
 * layers a `build_config`: tfjs reads none of them, and its deserialiser passes unknown keys on.
 */
export function dropKeras3Keys(entry: JsonObject): JsonObject {
  const { module: _module, registered_name: _registered, build_config: _build, ...rest } = entry;
  return rest;
}

/** A Keras 3 tensor reference `{"class_name":"__keras_tensor__","config":{"keras_history":[l,n,t]}}`. */
function historyOf(value: Json): [string, number, number] | null {
  if (!isObject(value) || value.class_name !== '__keras_tensor__' || !isObject(value.config)) {
    return null;
  }
  const history = value.config.keras_history;
  if (Array.isArray(history) && history.length >= 3 && typeof history[0] === 'string') {
    return [history[0], Number(history[1]), Number(history[2])];
  }
  return null;
}

function tensorsIn(
  value: Json,
  found: [string, number, number][] = [],
): [string, number, number][] {
  const history = historyOf(value);
  if (history) found.push(history);
  else if (Array.isArray(value)) value.forEach((v) => tensorsIn(v, found));
  return found;
}

/**
 * Keras 3 writes each inbound node as `{"args":[tensor...],"kwargs":{}}`; tfjs reads Keras 2's
 * `[[layer, node, tensor, kwargs], ...]`. The tensors in args (flat or in one list, as Add and
 * Concatenate take them) become the node's inputs; kwargs ride on each, as Keras 2 wrote them.
 */
export function keras2InboundNodes(nodes: Json): Json {
  if (!Array.isArray(nodes)) return nodes;
  return nodes.map((node) => {
    if (!isObject(node) || !Array.isArray(node.args)) return node;
    const kwargs = isObject(node.kwargs) ? node.kwargs : {};
    return tensorsIn(node.args).map(([layer, index, tensor]) => [layer, index, tensor, kwargs]);
  });
}

/** Keras 3 writes a model's single input or output as a bare `[layer, node, tensor]`; tfjs wants a list of them. */
export function nestedTensorList(refs: Json): Json {
  const bare = Array.isArray(refs) && refs.length === 3 && typeof refs[0] === 'string';
  return bare ? [refs] : refs;
}

/**
 * Keras 3 names weights by variable path, which starts with the model's name
 * ("sequential/dense/kernel"); tfjs names them by layer ("dense/kernel"). The prefix is dropped
 * only when every weight carries it, so a layer that happens to share the model's name is safe.
 */
export function unprefixedWeightNames(
  specs: tf.io.WeightsManifestEntry[],
  modelName: string | undefined,
): tf.io.WeightsManifestEntry[] {
  if (!modelName || specs.length === 0) return specs;
  const prefix = `${modelName}/`;
  if (!specs.every((spec) => spec.name.startsWith(prefix))) return specs;
  return specs.map((spec) => ({ ...spec, name: spec.name.slice(prefix.length) }));
}

/** Applies the rewrites to a layer entry `{class_name, config, ...}` and, for nested models, its layers. */
export function keras2Layer(entry: Json): Json {
  if (!isObject(entry)) return entry;
  const layer = dropKeras3Keys(entry);
  if ('inbound_nodes' in layer) layer.inbound_nodes = keras2InboundNodes(layer.inbound_nodes);
  if (isObject(layer.config)) layer.config = keras2Config(layer.config);
  return layer;
}

function keras2Config(config: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(renameBatchShape(config))) {
    if (key === 'dtype') out[key] = dtypePolicyName(value);
    else if (key === 'layers' && Array.isArray(value)) out[key] = value.map(keras2Layer);
    else if (key === 'input_layers' || key === 'output_layers') out[key] = nestedTensorList(value);
    else if (isObject(value) && 'class_name' in value) out[key] = keras2Layer(value);
    else out[key] = value;
  }
  return out;
}

/** The model topology (model.json's modelTopology) and weight names as tfjs-layers 4 reads them. */
export function keras2Artifacts(
  modelTopology: JsonObject,
  weightSpecs: tf.io.WeightsManifestEntry[],
): { modelTopology: JsonObject; weightSpecs: tf.io.WeightsManifestEntry[] } {
  // The converter nests the model under model_config; tfjs's own saves put it at the top.
  const nested = isObject(modelTopology.model_config);
  const model = nested ? (modelTopology.model_config as JsonObject) : modelTopology;
  const translated = keras2Layer(model) as JsonObject;
  const modelName = isObject(translated.config) ? translated.config.name : undefined;
  return {
    modelTopology: nested ? { ...modelTopology, model_config: translated } : translated,
    weightSpecs: unprefixedWeightNames(
      weightSpecs,
      typeof modelName === 'string' ? modelName : undefined,
    ),
  };
}

/**
 * Wraps a tf.io handler so that what it loads reaches tfjs in the Keras 2 layout: the one seam
 * through which every layers model.json is read.
 */
export function keras2Handler(inner: tf.io.IOHandler): tf.io.IOHandler {
  return {
    load: async () => {
      const artifacts = await inner.load!();
      if (!isObject(artifacts.modelTopology)) return artifacts;
      const translated = keras2Artifacts(artifacts.modelTopology, artifacts.weightSpecs ?? []);
      return { ...artifacts, ...translated };
    },
  };
}
