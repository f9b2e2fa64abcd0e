/**
 * Reverse-mode rules: for each supported op, the nodes that turn the gradient
 * of its output into gradients of its inputs, written in standard ONNX ops.
 */
import { UnsupportedOpError } from '../errors';
import type { GraphBuilder } from '../onnx/builder';
import { attr, type Dim, type Node } from '../onnx/types';
import { floatAttr, intAttr, intsAttr } from './attributes';
import { convGradients } from './conv-gradients';
import { window2d, type ShapeMap } from './shapes';

/** What a rule may read besides the node: shapes, and the extra outputs the training forward pass made. */
export interface RuleContext {
  readonly b: GraphBuilder;
  readonly shapes: ShapeMap;
  /** MaxPool node name → its indices output. */
  readonly poolIndices: ReadonlyMap<string, string>;
  /** Dropout node name → [mask output, ratio]. */
  readonly dropoutMasks: ReadonlyMap<string, readonly [string, number]>;
  /**
   * Relu outputs read only by MaxPools: each pool's rule applies the Relu's
   * mask to its pooled gradient (a quarter of the size for 2×2 windows) and
   * the Relu passes its gradient through unchanged.
   */
  readonly pooledRelus: ReadonlySet<string>;
}

/** Input index → gradient value name (only for the inputs asked for). */
export type InputGradients = Map<number, string>;

function shapeOf(ctx: RuleContext, name: string): readonly Dim[] {
  return ctx.shapes.get(name) ?? [];
}

function sameShape(a: readonly Dim[], b: readonly Dim[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Sums a broadcast gradient back down to the shape of the operand it came from. */
export function reduceTo(ctx: RuleContext, grad: string, gradShape: readonly Dim[], operand: string): string {
  const target = shapeOf(ctx, operand);
  if (sameShape(gradShape, target)) return grad;
  const lead = gradShape.length - target.length;
  const axes: number[] = [];
  for (let i = 0; i < gradShape.length; i++) {
    if (i < lead || (target[i - lead] === 1 && gradShape[i] !== 1)) axes.push(i);
  }
  const { b } = ctx;
  const summed = axes.length === 0 ? grad : b.op('ReduceSum', [grad, b.int64s(axes)], { keepdims: attr.int(1) });
  if (lead === 0) return summed;
  return b.op('Reshape', [summed, b.op('Shape', [operand])]);
}

function gemmGradients(ctx: RuleContext, node: Node, gy: string, want: ReadonlySet<number>): InputGradients {
  const { b } = ctx;
  const [a = '', w = '', c = ''] = node.inputs;
  const ta = intAttr(node, 'transA', 0);
  const tb = intAttr(node, 'transB', 0);
  const alpha = floatAttr(node, 'alpha', 1);
  const beta = floatAttr(node, 'beta', 1);
  const out: InputGradients = new Map();
  const gemm = (x: string, y: string, tx: number, ty: number): string =>
    b.op('Gemm', [x, y], { transA: attr.int(tx), transB: attr.int(ty), alpha: attr.float(alpha) });
  // Y = alpha·op(A)·op(B) + beta·C
  if (want.has(0)) out.set(0, ta === 0 ? gemm(gy, w, 0, 1 - tb) : gemm(w, gy, tb, 1));
  if (want.has(1)) out.set(1, tb === 0 ? gemm(a, gy, 1 - ta, 0) : gemm(gy, a, 1, ta));
  if (want.has(2) && c !== '') {
    const scaled = beta === 1 ? gy : b.op('Mul', [gy, b.scalar(beta)]);
    out.set(2, reduceTo(ctx, scaled, shapeOf(ctx, node.outputs[0] ?? ''), c));
  }
  return out;
}

function maxPoolGradient(ctx: RuleContext, node: Node, gy: string): string {
  const { b } = ctx;
  const x = node.inputs[0] ?? '';
  const y = node.outputs[0] ?? '';
  const indices = ctx.poolIndices.get(node.name);
  if (indices === undefined) throw new UnsupportedOpError(node.op, node.name);
  // A maximum kept by the pool is positive exactly where the Relu below it let the gradient through.
  const g = ctx.pooledRelus.has(x) ? b.op('Where', [b.op('Greater', [y, b.scalar(0)]), gy, b.scalar(0)]) : gy;
  const win = window2d(node, intsAttr(node, 'kernel_shape', []));
  if (win.strides[0] >= win.kernel[0] && win.strides[1] >= win.kernel[1]) {
    // Windows do not overlap, so no input position is the maximum of two windows: MaxUnpool puts
    // each gradient back where its maximum came from (indices are offsets into the flattened input).
    return b.op('MaxUnpool', [g, indices, b.op('Shape', [x])], {
      kernel_shape: attr.ints(win.kernel),
      strides: attr.ints(win.strides),
      pads: attr.ints(win.pads),
    });
  }
  // Overlapping windows: scatter-add, since one position may be the maximum of several windows.
  const flat = b.int64s([-1]);
  const zeros = b.op('ConstantOfShape', [b.op('Reshape', [b.op('Size', [x]), b.int64s([1])])], {
    value: attr.tensor({ name: 'value', type: 'float32', dims: [1], data: Float32Array.of(0) }),
  });
  const scattered = b.op('ScatterElements', [zeros, b.op('Reshape', [indices, flat]), b.op('Reshape', [g, flat])], {
    axis: attr.int(0),
    reduction: attr.string('add'),
  });
  return b.op('Reshape', [scattered, b.op('Shape', [x])]);
}

/** The gradients of a node's inputs (those in `want`) given the gradient of its first output. */
export function nodeGradients(ctx: RuleContext, node: Node, gy: string, want: ReadonlySet<number>): InputGradients {
  const { b } = ctx;
  const x = node.inputs[0] ?? '';
  const y = node.outputs[0] ?? '';
  const zero = (): string => b.scalar(0);
  const one = (): string => b.scalar(1);
  const single = (g: () => string): InputGradients => new Map(want.has(0) ? [[0, g()]] : []);
  switch (node.op) {
    case 'Identity':
      return single(() => gy);
    case 'Relu':
      return single(() => (ctx.pooledRelus.has(y) ? gy : b.op('Where', [b.op('Greater', [y, zero()]), gy, zero()])));
    case 'Sigmoid':
      return single(() => b.op('Mul', [gy, b.op('Mul', [y, b.op('Sub', [one(), y])])]));
    case 'Tanh':
      return single(() => b.op('Mul', [gy, b.op('Sub', [one(), b.op('Mul', [y, y])])]));
    case 'Dropout':
      return single(() => {
        const mask = ctx.dropoutMasks.get(node.name);
        if (mask === undefined) return gy;
        const [m, ratio] = mask;
        const kept = b.op('Cast', [m], { to: attr.int(1) });
        return b.op('Mul', [b.op('Mul', [gy, kept]), b.scalar(1 / (1 - ratio))]);
      });
    case 'Reshape':
    case 'Flatten':
      return single(() => b.op('Reshape', [gy, b.op('Shape', [x])]));
    case 'Add': {
      const ys = shapeOf(ctx, y);
      const out: InputGradients = new Map();
      for (const i of [0, 1]) if (want.has(i)) out.set(i, reduceTo(ctx, gy, ys, node.inputs[i] ?? ''));
      return out;
    }
    case 'MatMul': {
      const out: InputGradients = new Map();
      if (want.has(0)) out.set(0, b.op('Gemm', [gy, node.inputs[1] ?? ''], { transB: attr.int(1) }));
      if (want.has(1)) out.set(1, b.op('Gemm', [x, gy], { transA: attr.int(1) }));
      return out;
    }
    case 'Gemm':
      return gemmGradients(ctx, node, gy, want);
    case 'Conv':
      return convGradients(ctx, node, gy, want);
    case 'MaxPool':
      return single(() => maxPoolGradient(ctx, node, gy));
    default:
      throw new UnsupportedOpError(node.op, node.name);
  }
}
