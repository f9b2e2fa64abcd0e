import * as ort from 'onnxruntime-node';
import type { ModelDefinition } from '../graph/definition';
import { gradientGraph, IO } from '../graph/derive';
import { encodeModel } from '../onnx/model-proto';
import { attr, type Node } from '../onnx/types';
import { Random } from '../random';
import { referenceLoss, type T64 } from './reference';

const N = 3;
const CLASSES = 3;

function node(op: string, inputs: string[], output: string, attributes: Node['attributes'] = {}): Node {
  return { op, name: output, inputs, outputs: [output], attributes };
}

function def(name: string, input: number[], parameters: Record<string, number[]>, nodes: Node[], extra: Partial<ModelDefinition> = {}): ModelDefinition {
  const last = nodes[nodes.length - 1]?.outputs[0] ?? '';
  return {
    name,
    input: { name: 'x', shape: input },
    logits: last,
    classes: CLASSES,
    parameters: Object.entries(parameters).map(([n, shape]) => ({ name: n, shape })),
    constants: [],
    nodes,
    ...extra,
  };
}

const CASES: ModelDefinition[] = [
  def('matmul-add-sigmoid', [5], { w1: [5, 4], b1: [4], w2: [4, 3], b2: [1, 3] }, [
    node('MatMul', ['x', 'w1'], 'm1'),
    node('Add', ['m1', 'b1'], 'a1'),
    node('Sigmoid', ['a1'], 's1'),
    node('MatMul', ['s1', 'w2'], 'm2'),
    node('Add', ['m2', 'b2'], 'logits'),
  ]),
  def('gemm-tanh-relu-branch', [5], { w1: [4, 5], c1: [4], w2: [4, 3], c2: [1, 3], w3: [3, 3] }, [
    node('Gemm', ['x', 'w1', 'c1'], 'g1', { transB: attr.int(1), alpha: attr.float(0.7), beta: attr.float(1.3) }),
    node('Tanh', ['g1'], 't1'),
    node('Gemm', ['t1', 'w2', 'c2'], 'g2'),
    node('Relu', ['g2'], 'r2'),
    node('Gemm', ['r2', 'w3'], 'g3', { transB: attr.int(1) }),
    node('Add', ['g3', 'r2'], 'logits'),
  ]),
  def('conv-relu-maxpool-flatten', [2, 6, 6], { k: [3, 2, 3, 3], kb: [3], w: [3, 27], wb: [3] }, [
    node('Conv', ['x', 'k', 'kb'], 'c', { pads: attr.ints([1, 1, 1, 1]) }),
    node('Relu', ['c'], 'r'),
    node('MaxPool', ['r'], 'p', { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }),
    node('Flatten', ['p'], 'f'),
    node('Gemm', ['f', 'w', 'wb'], 'logits', { transB: attr.int(1) }),
  ]),
  def(
    'conv-stride2-asym-overlapping-pool-reshape',
    [2, 7, 7],
    { k: [4, 2, 3, 3], w: [16, 3], wb: [3] },
    [
      node('Conv', ['x', 'k'], 'c', { strides: attr.ints([2, 2]), pads: attr.ints([1, 0, 0, 1]) }),
      node('Sigmoid', ['c'], 's'),
      node('MaxPool', ['s'], 'p', { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]) }),
      node('Reshape', ['p', 'shape'], 'f'),
      node('Gemm', ['f', 'w', 'wb'], 'logits'),
    ],
    { constants: [{ name: 'shape', type: 'int64', dims: [2], data: BigInt64Array.of(0n, -1n) }] },
  ),
  // r is read only by pools (each pool applies the Relu's mask); q is also read by a Conv (its own mask applies).
  def('relu-pools-shared-and-overlapping', [2, 6, 6], { k: [2, 2, 3, 3], kb: [2], k2: [2, 2, 1, 1], k3: [2, 2, 1, 1], w: [3, 18] }, [
    node('Conv', ['x', 'k', 'kb'], 'c', { pads: attr.ints([1, 1, 1, 1]) }),
    node('Relu', ['c'], 'r'),
    node('MaxPool', ['r'], 'p1', { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }),
    node('MaxPool', ['r'], 'p2', { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]) }),
    node('Conv', ['x', 'k2'], 'd'),
    node('Relu', ['d'], 'q'),
    node('MaxPool', ['q'], 'p3', { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]) }),
    node('Conv', ['q', 'k3'], 'e', { strides: attr.ints([2, 2]) }),
    node('Add', ['p1', 'p2'], 's1'),
    node('Add', ['s1', 'p3'], 's2'),
    node('Add', ['s2', 'e'], 's3'),
    node('Flatten', ['s3'], 'f'),
    node('Gemm', ['f', 'w'], 'logits', { transB: attr.int(1) }),
  ]),
  // Non-overlapping windows with padding and gaps between them (stride 3 > kernel 2): the MaxUnpool path.
  def('relu-pool-padded-with-gaps', [1, 5, 5], { k: [2, 1, 2, 2], w: [3, 8] }, [
    node('Conv', ['x', 'k'], 'c'),
    node('Relu', ['c'], 'r'),
    node('MaxPool', ['r'], 'p', { kernel_shape: attr.ints([2, 2]), strides: attr.ints([3, 3]), pads: attr.ints([1, 1, 0, 0]) }),
    node('Flatten', ['p'], 'f'),
    node('Gemm', ['f', 'w'], 'logits', { transB: attr.int(1) }),
  ]),
  def('conv-rect-kernel-two-layers', [1, 5, 8], { k1: [2, 1, 2, 3], b1: [2], k2: [3, 2, 3, 3], w: [3, 60] }, [
    node('Conv', ['x', 'k1', 'b1'], 'c1', { strides: attr.ints([1, 2]), pads: attr.ints([0, 1, 1, 1]) }),
    node('Tanh', ['c1'], 't1'),
    node('Conv', ['t1', 'k2'], 'c2', { pads: attr.ints([1, 1, 1, 1]) }),
    node('Flatten', ['c2'], 'f'),
    node('Gemm', ['f', 'w'], 'logits', { transB: attr.int(1) }),
  ]),
];

function randomTensor(rng: Random, shape: readonly number[], scale: number): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, () => rng.normal() * scale);
}

describe('gradient check: derived gradients match float64 central differences', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, model) => {
    const rng = new Random(model.name.length * 7919 + 1);
    const values = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const p of model.parameters) values.set(p.name, { shape: [...p.shape], data: randomTensor(rng, p.shape, 0.6) });
    const inputShape = [N, ...model.input.shape];
    values.set('x', { shape: inputShape, data: randomTensor(rng, inputShape, 1) });
    const labels = Array.from({ length: N }, () => rng.int(CLASSES));

    const session = await ort.InferenceSession.create(encodeModel(gradientGraph(model, { inputGradient: true })));
    const feeds: Record<string, ort.Tensor> = { [IO.labels]: new ort.Tensor('int64', BigInt64Array.from(labels.map(BigInt)), [N]) };
    for (const [name, v] of values) feeds[name === 'x' ? IO.input : name] = new ort.Tensor('float32', v.data, v.shape);
    const out = await session.run(feeds);

    const as64 = (): Map<string, T64> => new Map([...values].map(([k, v]) => [k, { shape: v.shape, data: Float64Array.from(v.data) }]));
    const base = as64();
    expect(out[IO.loss]?.data[0]).toBeCloseTo(referenceLoss(model, base, labels), 4);

    const h = 1e-5;
    let largest = 0;
    for (const [name, v] of values) {
      const grad = out[IO.grad(name)]?.data as Float32Array;
      expect(grad).toHaveLength(v.data.length);
      const picks = v.data.length <= 24 ? [...v.data.keys()] : Array.from({ length: 24 }, () => rng.int(v.data.length));
      for (const i of picks) {
        const env = as64();
        const t = env.get(name)?.data ?? new Float64Array();
        const x0 = t[i] ?? 0;
        t[i] = x0 + h;
        const up = referenceLoss(model, env, labels);
        t[i] = x0 - h;
        const down = referenceLoss(model, env, labels);
        const fd = (up - down) / (2 * h);
        largest = Math.max(largest, Math.abs(fd));
        const got = grad[i] ?? NaN;
        if (Math.abs(got - fd) > 1e-4 + 2e-3 * Math.abs(fd)) {
          throw new Error(`${model.name}: d loss / d ${name}[${i}] = ${got}, finite difference ${fd}`);
        }
      }
    }
    expect(largest).toBeGreaterThan(1e-3);
  });
});
