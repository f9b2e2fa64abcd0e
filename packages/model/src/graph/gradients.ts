/**
 * Reverse-mode rules: for each supported op, the nodes that turn the gradient
 * of its output into gradients of its inputs, written in standard ONNX ops.
 */
import { UnsupportedOpError } from '../errors';
import type { GraphBuilder } from '../onnx/builder';
import { attr, type Dim, type Node } from '../onnx/types';
import { floatAttr, intAttr, intsAttr } from './attributes';
import type { ShapeMap } from './shapes';
import { window2d } from './shapes';

/** What a rule may read besides the node: shapes, and the extra outputs the training forward pass made. */
export interface RuleContext {
  readonly b: GraphBuilder;
  readonly shapes: ShapeMap;
  /** MaxPool node name → its indices output. */
  readonly poolIndices: ReadonlyMap<string, string>;
  /** Dropout node name → [mask output, ratio]. */
  readonly dropoutMasks: ReadonlyMap<string, readonly [string, number]>;
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

function convGradients(ctx: RuleContext, node: Node, gy: string, want: ReadonlySet<number>): InputGradients {
  const { b } = ctx;
  const [x = '', w = '', bias = ''] = node.inputs;
  const xs = shapeOf(ctx, x);
  const ws = shapeOf(ctx, w);
  const ys = shapeOf(ctx, node.outputs[0] ?? '');
  const kh = Number(ws[2]);
  const kw = Number(ws[3]);
  const win = window2d(node, intsAttr(node, 'kernel_shape', [kh, kw]));
  const [sh, sw] = win.strides;
  const [pt, pl, pb, pr] = win.pads;
  const [h, wd, ho, wo] = [Number(xs[2]), Number(xs[3]), Number(ys[2]), Number(ys[3])];
  const out: InputGradients = new Map();
  const flipPads = [kh - 1 - pt, kw - 1 - pl, kh - 1 - pb, kw - 1 - pr];
  if (want.has(0) && sh === 1 && sw === 1 && flipPads.every((p) => p >= 0)) {
    // Stride 1: dX is dY correlated with W flipped in space and with its channel axes swapped,
    // an ordinary Conv (onnxruntime's fastest kernel).
    const flipped = b.op('Slice', [w, b.int64s([-1, -1]), b.int64s([-kh - 1, -kw - 1]), b.int64s([2, 3]), b.int64s([-1, -1])]);
    const swapped = b.op('Transpose', [flipped], { perm: attr.ints([1, 0, 2, 3]) });
    out.set(0, b.op('Conv', [gy, swapped], { kernel_shape: attr.ints([kh, kw]), pads: attr.ints(flipPads) }));
  } else if (want.has(0)) {
    // dX = ConvTranspose(dY, W): the adjoint of the strided, padded correlation.
    const outputPadding = [h - (sh * (ho - 1) + kh - pt - pb), wd - (sw * (wo - 1) + kw - pl - pr)];
    out.set(
      0,
      b.op('ConvTranspose', [gy, w], {
        kernel_shape: attr.ints([kh, kw]),
        strides: attr.ints([sh, sw]),
        pads: attr.ints([pt, pl, pb, pr]),
        output_padding: attr.ints(outputPadding),
      }),
    );
  }
  if (want.has(1)) {
    // dW[m,c] = Σ_n X[n,c] ⋆ dY[n,m]: a correlation over the batch, with dY as a dilated kernel.
    const perm = { perm: attr.ints([1, 0, 2, 3]) };
    const xt = b.op('Transpose', [x], perm);
    const gt = b.op('Transpose', [gy], perm);
    let gw = b.op('Conv', [xt, gt], { dilations: attr.ints([sh, sw]), pads: attr.ints([pt, pl, pb, pr]) });
    const fullH = h + pt + pb - (ho - 1) * sh;
    const fullW = wd + pl + pr - (wo - 1) * sw;
    if (fullH !== kh || fullW !== kw) {
      gw = b.op('Slice', [gw, b.int64s([0, 0]), b.int64s([kh, kw]), b.int64s([2, 3])]);
    }
    out.set(1, b.op('Transpose', [gw], perm));
  }
  if (want.has(2) && bias !== '') {
    out.set(2, b.op('ReduceSum', [gy, b.int64s([0, 2, 3])], { keepdims: attr.int(0) }));
  }
  return out;
}

function maxPoolGradient(ctx: RuleContext, node: Node, gy: string): string {
  const { b } = ctx;
  const x = node.inputs[0] ?? '';
  const indices = ctx.poolIndices.get(node.name);
  if (indices === undefined) throw new UnsupportedOpError(node.op, node.name);
  // Indices are offsets into the flattened input: scatter-add dY back to where each maximum came from.
  const flat = b.int64s([-1]);
  const zeros = b.op('ConstantOfShape', [b.op('Reshape', [b.op('Size', [x]), b.int64s([1])])], {
    value: attr.tensor({ name: 'value', type: 'float32', dims: [1], data: Float32Array.of(0) }),
  });
  const scattered = b.op('ScatterElements', [zeros, b.op('Reshape', [indices, flat]), b.op('Reshape', [gy, flat])], {
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
      return single(() => b.op('Where', [b.op('Greater', [y, zero()]), gy, zero()]));
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
