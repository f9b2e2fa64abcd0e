/**
 * The built-in models from McMahan et al. (2017): the 2NN multilayer
 * perceptron and the CNN, with seeded He/Glorot initialisation.
 */
import type { ModelDefinition, ParameterSpec } from '../graph/definition';
import { attr, type Node } from '../onnx/types';
import { manifestOf, tensorView } from '../params/manifest';
import { Random } from '../random';

/** How a parameter is initialised: He normal (before ReLU), Glorot uniform (the output layer) or zeros (biases). */
export type Init = 'he' | 'glorot' | 'zeros';

function node(op: string, name: string, inputs: string[], outputs: string[], attributes: Node['attributes'] = {}): Node {
  return { op, name, inputs, outputs, attributes };
}

/** 784-200-200-10 with ReLU (the "2NN"). */
export function mlpDefinition(): ModelDefinition {
  const parameters: ParameterSpec[] = [
    { name: 'fc1.weight', shape: [200, 784] },
    { name: 'fc1.bias', shape: [200] },
    { name: 'fc2.weight', shape: [200, 200] },
    { name: 'fc2.bias', shape: [200] },
    { name: 'fc3.weight', shape: [10, 200] },
    { name: 'fc3.bias', shape: [10] },
  ];
  const t = { transB: attr.int(1) };
  return {
    name: 'mlp',
    input: { name: 'input', shape: [784] },
    logits: 'fc3',
    classes: 10,
    parameters,
    constants: [],
    nodes: [
      node('Gemm', 'fc1', ['input', 'fc1.weight', 'fc1.bias'], ['fc1'], t),
      node('Relu', 'relu1', ['fc1'], ['relu1']),
      node('Gemm', 'fc2', ['relu1', 'fc2.weight', 'fc2.bias'], ['fc2'], t),
      node('Relu', 'relu2', ['fc2'], ['relu2']),
      node('Gemm', 'fc3', ['relu2', 'fc3.weight', 'fc3.bias'], ['fc3'], t),
    ],
  };
}

/** conv5x5(32)-pool2-conv5x5(64)-pool2-fc512-fc10 with ReLU and "same" padding. */
export function cnnDefinition(): ModelDefinition {
  const parameters: ParameterSpec[] = [
    { name: 'conv1.weight', shape: [32, 1, 5, 5] },
    { name: 'conv1.bias', shape: [32] },
    { name: 'conv2.weight', shape: [64, 32, 5, 5] },
    { name: 'conv2.bias', shape: [64] },
    { name: 'fc1.weight', shape: [512, 3136] },
    { name: 'fc1.bias', shape: [512] },
    { name: 'fc2.weight', shape: [10, 512] },
    { name: 'fc2.bias', shape: [10] },
  ];
  const conv = { kernel_shape: attr.ints([5, 5]), pads: attr.ints([2, 2, 2, 2]) };
  const pool = { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) };
  const t = { transB: attr.int(1) };
  return {
    name: 'cnn',
    input: { name: 'input', shape: [1, 28, 28] },
    logits: 'fc2',
    classes: 10,
    parameters,
    constants: [],
    nodes: [
      node('Conv', 'conv1', ['input', 'conv1.weight', 'conv1.bias'], ['conv1'], conv),
      node('Relu', 'relu1', ['conv1'], ['relu1']),
      node('MaxPool', 'pool1', ['relu1'], ['pool1'], pool),
      node('Conv', 'conv2', ['pool1', 'conv2.weight', 'conv2.bias'], ['conv2'], conv),
      node('Relu', 'relu2', ['conv2'], ['relu2']),
      node('MaxPool', 'pool2', ['relu2'], ['pool2'], pool),
      node('Flatten', 'flatten', ['pool2'], ['flatten'], { axis: attr.int(1) }),
      node('Gemm', 'fc1', ['flatten', 'fc1.weight', 'fc1.bias'], ['fc1'], t),
      node('Relu', 'relu3', ['fc1'], ['relu3']),
      node('Gemm', 'fc2', ['relu3', 'fc2.weight', 'fc2.bias'], ['fc2'], t),
    ],
  };
}

/** Fan-in and fan-out of a weight laid out [out, in, ...kernel]. */
function fans(shape: readonly number[]): [number, number] {
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return [(shape[1] ?? 1) * receptive, (shape[0] ?? 1) * receptive];
}

/**
 * Seeded initial parameters: biases zero, the last weight Glorot uniform,
 * every other weight He normal (std √(2 / fan_in)).
 */
export function initialParameters(def: ModelDefinition, seed: number): Float32Array {
  const manifest = manifestOf(def.parameters);
  const values = new Float32Array(manifest.size);
  const rng = new Random(seed);
  const weights = manifest.entries.filter((e) => e.shape.length > 1);
  const last = weights[weights.length - 1];
  for (const entry of manifest.entries) {
    const view = tensorView(values, entry);
    if (entry.shape.length <= 1) continue;
    const [fanIn, fanOut] = fans(entry.shape);
    if (entry === last) {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < view.length; i++) view[i] = (rng.next() * 2 - 1) * limit;
    } else {
      const std = Math.sqrt(2 / fanIn);
      for (let i = 0; i < view.length; i++) view[i] = rng.normal() * std;
    }
  }
  return values;
}
