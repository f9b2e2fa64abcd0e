// A float64 reference interpreter for forward graphs, used only by the gradient check.
import type { ModelDefinition } from '../graph/definition';
import { floatAttr, intAttr, intsAttr } from '../graph/attributes';
import { window2d, windowOut } from '../graph/shapes';
import type { Node } from '../onnx/types';

export interface T64 {
  shape: number[];
  data: Float64Array;
}

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const strides = (s: readonly number[]): number[] => {
  const out = new Array<number>(s.length).fill(1);
  for (let i = s.length - 2; i >= 0; i--) out[i] = (out[i + 1] ?? 1) * (s[i + 1] ?? 1);
  return out;
};

function map(x: T64, f: (v: number) => number): T64 {
  return { shape: x.shape, data: x.data.map(f) };
}

function add(a: T64, b: T64): T64 {
  const rank = Math.max(a.shape.length, b.shape.length);
  const pa = [...new Array<number>(rank - a.shape.length).fill(1), ...a.shape];
  const pb = [...new Array<number>(rank - b.shape.length).fill(1), ...b.shape];
  const shape = pa.map((d, i) => Math.max(d, pb[i] ?? 1));
  const sa = strides(pa);
  const sb = strides(pb);
  const so = strides(shape);
  const out = new Float64Array(size(shape));
  for (let i = 0; i < out.length; i++) {
    let ia = 0;
    let ib = 0;
    for (let d = 0; d < rank; d++) {
      const c = Math.floor(i / (so[d] ?? 1)) % (shape[d] ?? 1);
      ia += ((pa[d] ?? 1) === 1 ? 0 : c) * (sa[d] ?? 0);
      ib += ((pb[d] ?? 1) === 1 ? 0 : c) * (sb[d] ?? 0);
    }
    out[i] = (a.data[ia] ?? 0) + (b.data[ib] ?? 0);
  }
  return { shape, data: out };
}

function transpose2(x: T64): T64 {
  const [r = 1, c = 1] = x.shape;
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = x.data[i * c + j] ?? 0;
  return { shape: [c, r], data: out };
}

function matmul(a: T64, b: T64): T64 {
  const [m = 1, k = 1] = a.shape;
  const n = b.shape[1] ?? 1;
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += (a.data[i * k + t] ?? 0) * (b.data[t * n + j] ?? 0);
      out[i * n + j] = s;
    }
  return { shape: [m, n], data: out };
}

function conv(node: Node, x: T64, w: T64, bias: T64 | undefined): T64 {
  const [n = 1, c = 1, h = 1, wd = 1] = x.shape;
  const [m = 1, , kh = 1, kw = 1] = w.shape;
  const win = window2d(node, intsAttr(node, 'kernel_shape', [kh, kw]));
  const ho = windowOut(h, win, 0);
  const wo = windowOut(wd, win, 1);
  const out = new Float64Array(n * m * ho * wo);
  for (let b = 0; b < n; b++)
    for (let o = 0; o < m; o++)
      for (let y = 0; y < ho; y++)
        for (let z = 0; z < wo; z++) {
          let s = bias?.data[o] ?? 0;
          for (let ci = 0; ci < c; ci++)
            for (let i = 0; i < kh; i++)
              for (let j = 0; j < kw; j++) {
                const yy = y * win.strides[0] - win.pads[0] + i;
                const zz = z * win.strides[1] - win.pads[1] + j;
                if (yy < 0 || yy >= h || zz < 0 || zz >= wd) continue;
                s += (x.data[((b * c + ci) * h + yy) * wd + zz] ?? 0) * (w.data[((o * c + ci) * kh + i) * kw + j] ?? 0);
              }
          out[((b * m + o) * ho + y) * wo + z] = s;
        }
  return { shape: [n, m, ho, wo], data: out };
}

function maxPool(node: Node, x: T64): T64 {
  const [n = 1, c = 1, h = 1, wd = 1] = x.shape;
  const win = window2d(node, intsAttr(node, 'kernel_shape', []));
  const ho = windowOut(h, win, 0);
  const wo = windowOut(wd, win, 1);
  const out = new Float64Array(n * c * ho * wo);
  for (let p = 0; p < n * c; p++)
    for (let y = 0; y < ho; y++)
      for (let z = 0; z < wo; z++) {
        let best = -Infinity;
        for (let i = 0; i < win.kernel[0]; i++)
          for (let j = 0; j < win.kernel[1]; j++) {
            const yy = y * win.strides[0] - win.pads[0] + i;
            const zz = z * win.strides[1] - win.pads[1] + j;
            if (yy < 0 || yy >= h || zz < 0 || zz >= wd) continue;
            best = Math.max(best, x.data[(p * h + yy) * wd + zz] ?? -Infinity);
          }
        out[(p * ho + y) * wo + z] = best;
      }
  return { shape: [n, c, ho, wo], data: out };
}

/** Mean softmax cross-entropy of the definition's logits, all in float64. */
export function referenceLoss(def: ModelDefinition, values: Map<string, T64>, labels: readonly number[]): number {
  const env = new Map(values);
  for (const c of def.constants) {
    const data = c.data instanceof BigInt64Array ? Float64Array.from(c.data, Number) : Float64Array.from(c.data as Float32Array);
    env.set(c.name, { shape: [...c.dims], data });
  }
  const get = (name: string | undefined): T64 => {
    const v = env.get(name ?? '');
    if (v === undefined) throw new Error(`reference: ${String(name)} undefined`);
    return v;
  };
  for (const node of def.nodes) {
    const x = get(node.inputs[0]);
    let y: T64;
    switch (node.op) {
      case 'Relu':
        y = map(x, (v) => Math.max(0, v));
        break;
      case 'Sigmoid':
        y = map(x, (v) => 1 / (1 + Math.exp(-v)));
        break;
      case 'Tanh':
        y = map(x, Math.tanh);
        break;
      case 'Identity':
      case 'Dropout':
        y = x;
        break;
      case 'Add':
        y = add(x, get(node.inputs[1]));
        break;
      case 'MatMul':
        y = matmul(x, get(node.inputs[1]));
        break;
      case 'Gemm': {
        const a = intAttr(node, 'transA', 0) === 1 ? transpose2(x) : x;
        const w = get(node.inputs[1]);
        const b = intAttr(node, 'transB', 0) === 1 ? transpose2(w) : w;
        const alpha = floatAttr(node, 'alpha', 1);
        const beta = floatAttr(node, 'beta', 1);
        y = map(matmul(a, b), (v) => v * alpha);
        const c = node.inputs[2];
        if (c !== undefined && c !== '') y = add(y, map(get(c), (v) => v * beta));
        break;
      }
      case 'Conv':
        y = conv(node, x, get(node.inputs[1]), node.inputs[2] === undefined ? undefined : get(node.inputs[2]));
        break;
      case 'MaxPool':
        y = maxPool(node, x);
        break;
      case 'Flatten': {
        const axis = intAttr(node, 'axis', 1);
        y = { shape: [size(x.shape.slice(0, axis)), size(x.shape.slice(axis))], data: x.data };
        break;
      }
      case 'Reshape': {
        const target = Array.from(get(node.inputs[1]).data).map((d, i) => (d === 0 ? (x.shape[i] ?? 1) : d));
        const known = target.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
        y = { shape: target.map((d) => (d === -1 ? x.data.length / known : d)), data: x.data };
        break;
      }
      default:
        throw new Error(`reference: no ${node.op}`);
    }
    env.set(node.outputs[0] ?? '', y);
  }
  const logits = get(def.logits);
  const [n = 1, k = 1] = logits.shape;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const row = logits.data.subarray(i * k, (i + 1) * k);
    const max = Math.max(...row);
    const lse = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
    total += lse - (row[labels[i] ?? 0] ?? 0);
  }
  return total / n;
}
