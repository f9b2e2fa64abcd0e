/**
 * Reverse-mode rule for a 2-D Conv: the input gradient as a Conv (stride 1)
 * or ConvTranspose, the weight gradient as one im2col Gather and one Gemm,
 * the bias gradient as one contiguous ReduceSum.
 */
import type { GraphBuilder } from '../onnx/builder';
import { attr, type Dim, type Node } from '../onnx/types';
import { intsAttr } from './attributes';
import type { InputGradients, RuleContext } from './gradients';
import { window2d, type Window2d } from './shapes';

/** The fixed geometry of one Conv node (all sizes known; only the batch is symbolic). */
interface ConvGeometry {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly height: number;
  readonly width: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly kernelHeight: number;
  readonly kernelWidth: number;
  readonly window: Window2d;
}

function geometry(ctx: RuleContext, node: Node): ConvGeometry {
  const dims = (name: string): readonly Dim[] => ctx.shapes.get(name) ?? [];
  const xs = dims(node.inputs[0] ?? '');
  const ws = dims(node.inputs[1] ?? '');
  const ys = dims(node.outputs[0] ?? '');
  const kernelHeight = Number(ws[2]);
  const kernelWidth = Number(ws[3]);
  return {
    inChannels: Number(ws[1]),
    outChannels: Number(ws[0]),
    height: Number(xs[2]),
    width: Number(xs[3]),
    outHeight: Number(ys[2]),
    outWidth: Number(ys[3]),
    kernelHeight,
    kernelWidth,
    window: window2d(node, intsAttr(node, 'kernel_shape', [kernelHeight, kernelWidth])),
  };
}

/** dX: a Conv with the kernel flipped and its channel axes swapped (stride 1), else the ConvTranspose adjoint. */
function inputGradient(b: GraphBuilder, g: ConvGeometry, w: string, gy: string): string {
  const { kernelHeight: kh, kernelWidth: kw } = g;
  const [sh, sw] = g.window.strides;
  const [pt, pl, pb, pr] = g.window.pads;
  const flipPads = [kh - 1 - pt, kw - 1 - pl, kh - 1 - pb, kw - 1 - pr];
  if (sh === 1 && sw === 1 && flipPads.every((p) => p >= 0)) {
    const flipped = b.op('Slice', [w, b.int64s([-1, -1]), b.int64s([-kh - 1, -kw - 1]), b.int64s([2, 3]), b.int64s([-1, -1])]);
    const swapped = b.op('Transpose', [flipped], { perm: attr.ints([1, 0, 2, 3]) });
    return b.op('Conv', [gy, swapped], { kernel_shape: attr.ints([kh, kw]), pads: attr.ints(flipPads) });
  }
  const outputPadding = [
    g.height - (sh * (g.outHeight - 1) + kh - pt - pb),
    g.width - (sw * (g.outWidth - 1) + kw - pl - pr),
  ];
  return b.op('ConvTranspose', [gy, w], {
    kernel_shape: attr.ints([kh, kw]),
    strides: attr.ints([sh, sw]),
    pads: attr.ints([pt, pl, pb, pr]),
    output_padding: attr.ints(outputPadding),
  });
}

/**
 * Offsets into the padded input plane [Hp·Wp] of every (kernel tap, output
 * position) pair, laid out [kh·kw, Ho·Wo]: the im2col pattern of the window.
 */
function patchOffsets(g: ConvGeometry): BigInt64Array {
  const [sh, sw] = g.window.strides;
  const [, pl, , pr] = g.window.pads;
  const paddedWidth = g.width + pl + pr;
  const taps = g.kernelHeight * g.kernelWidth;
  const positions = g.outHeight * g.outWidth;
  const out = new BigInt64Array(taps * positions);
  for (let i = 0; i < g.kernelHeight; i++) {
    for (let j = 0; j < g.kernelWidth; j++) {
      const row = (i * g.kernelWidth + j) * positions;
      for (let oh = 0; oh < g.outHeight; oh++) {
        for (let ow = 0; ow < g.outWidth; ow++) {
          out[row + oh * g.outWidth + ow] = BigInt((oh * sh + i) * paddedWidth + ow * sw + j);
        }
      }
    }
  }
  return out;
}

/**
 * dW[m, c, i, j] = Σ_{n, p} dY[n, m, p] · Xpad[n, c, p·s + (i, j)] as one Gemm
 * over the contraction axis (p, n): dY laid out [M, Ho·Wo·N] times the
 * patches [C·kh·kw, Ho·Wo·N]. With the batch innermost, the patches come from
 * one Gather that copies whole batch rows, and the Gemm sees one large, well
 * shaped product instead of a per-channel correlation with a spatial kernel.
 */
function weightGradient(b: GraphBuilder, g: ConvGeometry, x: string, gyRows: string): string {
  const [pt, pl, pb, pr] = g.window.pads;
  const paddedHeight = g.height + pt + pb;
  const paddedWidth = g.width + pl + pr;
  const taps = g.kernelHeight * g.kernelWidth;
  let xt = b.op('Transpose', [x], { perm: attr.ints([1, 2, 3, 0]) });
  if (pt + pl + pb + pr > 0) xt = b.op('Pad', [xt, b.int64s([0, pt, pl, 0, 0, pb, pr, 0])]);
  const plane = b.op('Reshape', [xt, b.int64s([g.inChannels, paddedHeight * paddedWidth, -1])]);
  const offsets = b.fresh('patch_offsets');
  b.initializer({ name: offsets, type: 'int64', dims: [taps, g.outHeight * g.outWidth], data: patchOffsets(g) });
  const patches = b.op('Gather', [plane, offsets], { axis: attr.int(1) });
  const cols = b.op('Reshape', [patches, b.int64s([g.inChannels * taps, -1])]);
  const gw = b.op('Gemm', [gyRows, cols], { transB: attr.int(1) });
  return b.op('Reshape', [gw, b.int64s([g.outChannels, g.inChannels, g.kernelHeight, g.kernelWidth])]);
}

/** The gradients of a Conv node's inputs (those in `want`) given dY. */
export function convGradients(ctx: RuleContext, node: Node, gy: string, want: ReadonlySet<number>): InputGradients {
  const { b } = ctx;
  const [x = '', w = '', bias = ''] = node.inputs;
  const g = geometry(ctx, node);
  const out: InputGradients = new Map();
  if (want.has(0)) out.set(0, inputGradient(b, g, w, gy));
  const wantBias = want.has(2) && bias !== '';
  if (!want.has(1)) {
    if (wantBias) out.set(2, b.op('ReduceSum', [gy, b.int64s([0, 2, 3])], { keepdims: attr.int(0) }));
    return out;
  }
  // dY as rows [M, Ho·Wo·N]: the weight Gemm's left operand, and a contiguous sum for the bias.
  const gyRows = b.op('Reshape', [b.op('Transpose', [gy], { perm: attr.ints([1, 2, 3, 0]) }), b.int64s([g.outChannels, -1])]);
  out.set(1, weightGradient(b, g, x, gyRows));
  if (wantBias) out.set(2, b.op('ReduceSum', [gyRows, b.int64s([1])], { keepdims: attr.int(0) }));
  return out;
}
