/**
 * Derives runnable graphs from a model definition: evaluation (logits, loss,
 * correct count), gradients (for checking), and the training step (forward,
 * backward and the optimizer update in one graph).
 */
import { InvalidGraphError } from '../errors';
import { GraphBuilder } from '../onnx/builder';
import { attr, type Dim, type Model, type Node } from '../onnx/types';
import { floatAttr } from './attributes';
import type { ModelDefinition } from './definition';
import { nodeGradients, type RuleContext } from './gradients';
import { inferShapes } from './shapes';

/** Names of the fixed inputs and outputs of derived graphs. */
export const IO = {
  input: 'input',
  labels: 'labels',
  lr: 'lr',
  momentum: 'momentum',
  mu: 'mu',
  logits: 'logits',
  loss: 'loss',
  lossSum: 'loss_sum',
  correct: 'correct',
  next: (p: string): string => `${p}.next`,
  velocity: (p: string): string => `${p}.velocity`,
  velocityNext: (p: string): string => `${p}.velocity.next`,
  global: (p: string): string => `${p}.global`,
  grad: (p: string): string => `${p}.grad`,
} as const;

/** Which optimizer a training-step graph carries. */
export interface StepVariant {
  readonly momentum: boolean;
  readonly proximal: boolean;
}

interface Forward {
  readonly b: GraphBuilder;
  readonly logits: string;
  readonly shapes: Map<string, readonly Dim[]>;
  readonly poolIndices: Map<string, string>;
  readonly dropoutMasks: Map<string, readonly [string, number]>;
}

function dropoutRatio(def: ModelDefinition, node: Node): number {
  const ratioInput = node.inputs[1] ?? '';
  if (ratioInput !== '') {
    const c = def.constants.find((t) => t.name === ratioInput);
    if (c === undefined || !(c.data instanceof Float32Array)) {
      throw new InvalidGraphError(`Dropout '${node.name}' ratio must be a float constant`);
    }
    return c.data[0] ?? 0.5;
  }
  return floatAttr(node, 'ratio', 0.5);
}

/** Emits inputs, constants and the forward nodes; in training mode MaxPool keeps indices and Dropout is live. */
function emitForward(def: ModelDefinition, name: string, training: boolean): Forward {
  const shapes = inferShapes(def);
  const b = new GraphBuilder(name, 'g');
  for (const p of def.parameters) b.input(p.name, 'float32', p.shape);
  b.input(IO.input, 'float32', ['N', ...def.input.shape]);
  if (def.input.name !== IO.input) b.op('Identity', [IO.input], {}, def.input.name);
  for (const c of def.constants) b.initializer(c);
  const poolIndices = new Map<string, string>();
  const dropoutMasks = new Map<string, readonly [string, number]>();
  for (const node of def.nodes) {
    if (node.op === 'MaxPool' && training) {
      const indices = node.outputs[1] ?? b.fresh('pool_indices');
      b.push({ ...node, outputs: [node.outputs[0] ?? '', indices] });
      poolIndices.set(node.name, indices);
    } else if (node.op === 'Dropout') {
      const ratio = dropoutRatio(def, node);
      if (training && ratio > 0) {
        const mask = b.fresh('dropout_mask');
        const live = b.fresh('const');
        b.initializer({ name: live, type: 'bool', dims: [], data: Uint8Array.of(1) });
        const seed = node.attributes['seed'];
        b.push({
          op: 'Dropout',
          name: node.name,
          inputs: [node.inputs[0] ?? '', b.scalar(ratio), live],
          outputs: [node.outputs[0] ?? '', mask],
          attributes: seed === undefined ? {} : { seed },
        });
        dropoutMasks.set(node.name, [mask, ratio]);
      } else {
        b.push({ op: 'Identity', name: node.name, inputs: [node.inputs[0] ?? ''], outputs: [node.outputs[0] ?? ''], attributes: {} });
      }
    } else {
      b.push(node);
    }
  }
  return { b, logits: def.logits, shapes, poolIndices, dropoutMasks };
}

/** Per-sample negative log-likelihood [N] and the gradient of the batch mean with respect to the logits. */
function softmaxCrossEntropy(
  b: GraphBuilder,
  logits: string,
  labels: string,
  classes: number,
): { nll: string; gradMean: string } {
  const logp = b.op('LogSoftmax', [logits], { axis: attr.int(1) });
  const range = b.int64s(Array.from({ length: classes }, (_, i) => i));
  const hit = b.op('Equal', [b.op('Unsqueeze', [labels, b.int64s([1])]), range]);
  const onehot = b.op('Cast', [hit], { to: attr.int(1) });
  const picked = b.op('ReduceSum', [b.op('Mul', [onehot, logp]), b.int64s([1])], { keepdims: attr.int(0) });
  const nll = b.op('Neg', [picked]);
  const count = b.op('Cast', [b.op('Shape', [labels])], { to: attr.int(1) });
  const gradMean = b.op('Div', [b.op('Sub', [b.op('Exp', [logp]), onehot]), count]);
  return { nll, gradMean };
}

/** Relu outputs read only by MaxPools (and that are neither the logits nor asked for). */
function pooledRelus(def: ModelDefinition, wrt: readonly string[]): Set<string> {
  const readers = new Map<string, Node[]>();
  for (const node of def.nodes) for (const input of node.inputs) readers.set(input, [...(readers.get(input) ?? []), node]);
  const out = new Set<string>();
  for (const node of def.nodes) {
    const y = node.outputs[0] ?? '';
    const r = readers.get(y) ?? [];
    const onlyPooled = r.length > 0 && r.every((reader) => reader.op === 'MaxPool');
    if (node.op === 'Relu' && onlyPooled && y !== def.logits && !wrt.includes(y)) out.add(y);
  }
  return out;
}

/** Reverse pass from the logits' gradient; returns the gradient value of each name in `wrt`. */
function emitBackward(def: ModelDefinition, fwd: Forward, seed: string, wrt: readonly string[]): Map<string, string> {
  const { b } = fwd;
  const needs = new Set<string>(wrt);
  for (const node of def.nodes) {
    if (node.inputs.some((i) => needs.has(i))) for (const o of node.outputs) needs.add(o);
  }
  const pending = new Map<string, string[]>([[fwd.logits, [seed]]]);
  const total = (name: string): string | undefined => {
    const parts = pending.get(name);
    if (parts === undefined || parts.length === 0) return undefined;
    if (parts.length === 1) return parts[0];
    const sum = b.op('Sum', parts);
    pending.set(name, [sum]);
    return sum;
  };
  const ctx: RuleContext = {
    b,
    shapes: fwd.shapes,
    poolIndices: fwd.poolIndices,
    dropoutMasks: fwd.dropoutMasks,
    pooledRelus: pooledRelus(def, wrt),
  };
  for (let i = def.nodes.length - 1; i >= 0; i--) {
    const node = def.nodes[i];
    if (node === undefined) continue;
    const gy = total(node.outputs[0] ?? '');
    if (gy === undefined) continue;
    const want = new Set<number>();
    node.inputs.forEach((input, k) => {
      if (input !== '' && needs.has(input)) want.add(k);
    });
    if (want.size === 0) continue;
    for (const [k, g] of nodeGradients(ctx, node, gy, want)) {
      const input = node.inputs[k] ?? '';
      pending.set(input, [...(pending.get(input) ?? []), g]);
    }
  }
  const out = new Map<string, string>();
  for (const name of wrt) {
    const g = total(name);
    if (g === undefined) throw new InvalidGraphError(`'${name}' does not influence the logits`);
    out.set(name, g);
  }
  return out;
}

/** Evaluation: (params, input, labels) → logits, summed loss, correct count. */
export function evaluationGraph(def: ModelDefinition): Model {
  const fwd = emitForward(def, `${def.name}_eval`, false);
  const { b } = fwd;
  b.input(IO.labels, 'int64', ['N']);
  const { nll } = softmaxCrossEntropy(b, fwd.logits, IO.labels, def.classes);
  b.op('Identity', [fwd.logits], {}, IO.logits);
  b.op('ReduceSum', [nll], { keepdims: attr.int(0) }, IO.lossSum);
  const predicted = b.op('ArgMax', [fwd.logits], { axis: attr.int(1), keepdims: attr.int(0) });
  const hits = b.op('Cast', [b.op('Equal', [predicted, IO.labels])], { to: attr.int(1) });
  b.op('ReduceSum', [hits], { keepdims: attr.int(0) }, IO.correct);
  b.output(IO.logits, 'float32', ['N', def.classes]);
  b.output(IO.lossSum, 'float32', []);
  b.output(IO.correct, 'float32', []);
  return b.model();
}

/** Forward only: (params, input) → logits. */
export function forwardGraph(def: ModelDefinition): Model {
  const fwd = emitForward(def, `${def.name}_forward`, false);
  fwd.b.op('Identity', [fwd.logits], {}, IO.logits);
  fwd.b.output(IO.logits, 'float32', ['N', def.classes]);
  return fwd.b.model();
}

/** Gradients of the mean loss: (params, input, labels) → loss, `p.grad` for each parameter (and the input when asked). */
export function gradientGraph(def: ModelDefinition, options: { inputGradient?: boolean } = {}): Model {
  const fwd = emitForward(def, `${def.name}_grad`, true);
  const { b } = fwd;
  b.input(IO.labels, 'int64', ['N']);
  const { nll, gradMean } = softmaxCrossEntropy(b, fwd.logits, IO.labels, def.classes);
  b.op('ReduceMean', [nll], { keepdims: attr.int(0) }, IO.loss);
  b.output(IO.loss, 'float32', []);
  const wrt = def.parameters.map((p) => p.name);
  if (options.inputGradient === true) wrt.push(def.input.name);
  const grads = emitBackward(def, fwd, gradMean, wrt);
  for (const name of wrt) {
    b.op('Identity', [grads.get(name) ?? ''], {}, IO.grad(name));
    b.output(IO.grad(name), 'float32', fwd.shapes.get(name) ?? []);
  }
  return b.model();
}

/**
 * One optimizer step: (params, input, labels, lr [, momentum, velocities] [, mu, global params])
 * → `p.next` [, `p.velocity.next`], loss. The loss gradient is scaled by lr where it is seeded
 * (a batch × classes tensor), so every parameter's gradient comes out as its step lr·g and the
 * update costs one pass per tensor without momentum, three with it: s' = m·s + lr·g, w' = w − s'.
 * The velocity carried between steps is that step s = lr·v, so it belongs to the lr it was made
 * with. The proximal term adds mu·(w − w_global) to g (FedProx).
 */
export function trainingStepGraph(def: ModelDefinition, variant: StepVariant): Model {
  const fwd = emitForward(def, `${def.name}_step`, true);
  const { b } = fwd;
  b.input(IO.labels, 'int64', ['N']);
  b.input(IO.lr, 'float32', []);
  if (variant.momentum) b.input(IO.momentum, 'float32', []);
  if (variant.proximal) b.input(IO.mu, 'float32', []);
  const { nll, gradMean } = softmaxCrossEntropy(b, fwd.logits, IO.labels, def.classes);
  b.op('ReduceMean', [nll], { keepdims: attr.int(0) }, IO.loss);
  const steps = emitBackward(def, fwd, b.op('Mul', [gradMean, IO.lr]), def.parameters.map((p) => p.name));
  const lrMu = variant.proximal ? b.op('Mul', [IO.mu, IO.lr]) : '';
  for (const p of def.parameters) {
    let step = steps.get(p.name) ?? '';
    if (variant.proximal) {
      b.input(IO.global(p.name), 'float32', p.shape);
      step = b.op('Add', [step, b.op('Mul', [b.op('Sub', [p.name, IO.global(p.name)]), lrMu])]);
    }
    if (variant.momentum) {
      b.input(IO.velocity(p.name), 'float32', p.shape);
      step = b.op('Add', [b.op('Mul', [IO.velocity(p.name), IO.momentum]), step], {}, IO.velocityNext(p.name));
    }
    b.op('Sub', [p.name, step], {}, IO.next(p.name));
    b.output(IO.next(p.name), 'float32', p.shape);
    if (variant.momentum) b.output(IO.velocityNext(p.name), 'float32', p.shape);
  }
  b.output(IO.loss, 'float32', []);
  return b.model();
}
