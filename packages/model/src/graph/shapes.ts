/**
 * Static shape inference over a model definition's forward graph. The batch
 * dimension is the symbol 'N'; every other dimension is a number.
 */
import { ShapeMismatchError, UnsupportedAttributeError, UnsupportedOpError } from '../errors';
import type { Dim, Node } from '../onnx/types';
import { SUPPORTED_OPS, type ModelDefinition } from './definition';
import { intAttr, intsAttr } from './attributes';

/** Shapes by value name. */
export type ShapeMap = ReadonlyMap<string, readonly Dim[]>;

function broadcast(node: Node, a: readonly Dim[], b: readonly Dim[]): Dim[] {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da === db || db === 1) out.push(da);
    else if (da === 1) out.push(db);
    else throw new ShapeMismatchError(node.name, `cannot broadcast [${a.join(',')}] with [${b.join(',')}]`);
  }
  return out;
}

function product(dims: readonly Dim[]): Dim {
  let p = 1;
  for (const d of dims) {
    if (typeof d !== 'number') return d;
    p *= d;
  }
  return p;
}

/** Conv/MaxPool geometry: kernel, strides, pads [top, left, bottom, right], dilations. */
export interface Window2d {
  readonly kernel: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly pads: readonly [number, number, number, number];
  readonly dilations: readonly [number, number];
  readonly ceil: boolean;
}

/** Reads the 2-D window attributes of a Conv or MaxPool node. */
export function window2d(node: Node, kernel: readonly number[]): Window2d {
  const autoPad = node.attributes['auto_pad'];
  if (autoPad !== undefined && autoPad.kind === 'string' && autoPad.value !== 'NOTSET' && autoPad.value !== 'VALID') {
    throw new UnsupportedAttributeError(node.op, node.name, 'auto_pad', `${autoPad.value} is not supported (use explicit pads)`);
  }
  const k = kernel;
  const s = intsAttr(node, 'strides', [1, 1]);
  const p = intsAttr(node, 'pads', [0, 0, 0, 0]);
  const d = intsAttr(node, 'dilations', [1, 1]);
  if (k.length !== 2 || s.length !== 2 || p.length !== 4 || d.length !== 2) {
    throw new UnsupportedAttributeError(node.op, node.name, 'kernel', 'only 2-D windows are supported');
  }
  return {
    kernel: [k[0] ?? 1, k[1] ?? 1],
    strides: [s[0] ?? 1, s[1] ?? 1],
    pads: [p[0] ?? 0, p[1] ?? 0, p[2] ?? 0, p[3] ?? 0],
    dilations: [d[0] ?? 1, d[1] ?? 1],
    ceil: intAttr(node, 'ceil_mode', 0) === 1,
  };
}

/** Output spatial size of a 2-D window along one axis. */
export function windowOut(size: number, w: Window2d, axis: 0 | 1): number {
  const span = (w.kernel[axis] - 1) * w.dilations[axis] + 1;
  const total = size + w.pads[axis] + (axis === 0 ? w.pads[2] : w.pads[3]) - span;
  const steps = w.ceil ? Math.ceil(total / w.strides[axis]) : Math.floor(total / w.strides[axis]);
  return steps + 1;
}

function num(node: Node, d: Dim | undefined): number {
  if (typeof d !== 'number') throw new ShapeMismatchError(node.name, `dimension ${String(d)} must be fixed`);
  return d;
}

/** Infers the shape of every value in the forward graph. */
export function inferShapes(def: ModelDefinition): Map<string, readonly Dim[]> {
  const shapes = new Map<string, readonly Dim[]>();
  shapes.set(def.input.name, ['N', ...def.input.shape]);
  for (const p of def.parameters) shapes.set(p.name, p.shape);
  const values = new Map<string, readonly number[]>();
  for (const c of def.constants) {
    shapes.set(c.name, c.dims);
    if (c.type === 'int64' && c.data instanceof BigInt64Array) values.set(c.name, Array.from(c.data, Number));
  }
  const get = (node: Node, i: number): readonly Dim[] => {
    const name = node.inputs[i] ?? '';
    const s = shapes.get(name);
    if (s === undefined) throw new ShapeMismatchError(node.name, `input '${name}' is not defined before use`);
    return s;
  };
  for (const node of def.nodes) {
    if (!SUPPORTED_OPS.has(node.op)) throw new UnsupportedOpError(node.op, node.name);
    let out: Dim[];
    switch (node.op) {
      case 'Relu':
      case 'Sigmoid':
      case 'Tanh':
      case 'Dropout':
      case 'Identity':
        out = [...get(node, 0)];
        break;
      case 'Add':
        out = broadcast(node, get(node, 0), get(node, 1));
        break;
      case 'MatMul': {
        const a = get(node, 0);
        const b = get(node, 1);
        if (a.length !== 2 || b.length !== 2) throw new UnsupportedAttributeError(node.op, node.name, 'rank', 'only 2-D MatMul is supported');
        if (a[1] !== b[0]) throw new ShapeMismatchError(node.name, `MatMul [${a.join(',')}] x [${b.join(',')}]`);
        out = [a[0] ?? 1, b[1] ?? 1];
        break;
      }
      case 'Gemm': {
        const a = get(node, 0);
        const b = get(node, 1);
        if (a.length !== 2 || b.length !== 2) throw new ShapeMismatchError(node.name, 'Gemm needs 2-D inputs');
        const ta = intAttr(node, 'transA', 0) === 1;
        const tb = intAttr(node, 'transB', 0) === 1;
        const [m, ka] = ta ? [a[1], a[0]] : [a[0], a[1]];
        const [kb, n] = tb ? [b[1], b[0]] : [b[0], b[1]];
        if (ka !== kb) throw new ShapeMismatchError(node.name, `Gemm inner sizes ${String(ka)} and ${String(kb)}`);
        out = [m ?? 1, n ?? 1];
        if ((node.inputs[2] ?? '') !== '') broadcast(node, out, get(node, 2));
        break;
      }
      case 'Conv': {
        const x = get(node, 0);
        const w = get(node, 1);
        if (x.length !== 4 || w.length !== 4) throw new UnsupportedAttributeError(node.op, node.name, 'rank', 'only 2-D Conv is supported');
        if (intAttr(node, 'group', 1) !== 1) throw new UnsupportedAttributeError(node.op, node.name, 'group', 'must be 1');
        const win = window2d(node, intsAttr(node, 'kernel_shape', [num(node, w[2]), num(node, w[3])]));
        if (win.dilations[0] !== 1 || win.dilations[1] !== 1) throw new UnsupportedAttributeError(node.op, node.name, 'dilations', 'must be 1');
        if (x[1] !== w[1]) throw new ShapeMismatchError(node.name, `Conv input channels ${String(x[1])} vs weight ${String(w[1])}`);
        out = [x[0] ?? 1, w[0] ?? 1, windowOut(num(node, x[2]), win, 0), windowOut(num(node, x[3]), win, 1)];
        break;
      }
      case 'MaxPool': {
        const x = get(node, 0);
        if (x.length !== 4) throw new UnsupportedAttributeError(node.op, node.name, 'rank', 'only 2-D MaxPool is supported');
        if (intAttr(node, 'storage_order', 0) !== 0) throw new UnsupportedAttributeError(node.op, node.name, 'storage_order', 'must be 0');
        const win = window2d(node, intsAttr(node, 'kernel_shape', []));
        out = [x[0] ?? 1, x[1] ?? 1, windowOut(num(node, x[2]), win, 0), windowOut(num(node, x[3]), win, 1)];
        break;
      }
      case 'Flatten': {
        const x = get(node, 0);
        let axis = intAttr(node, 'axis', 1);
        if (axis < 0) axis += x.length;
        out = [product(x.slice(0, axis)), product(x.slice(axis))];
        break;
      }
      case 'Reshape': {
        const x = get(node, 0);
        const target = values.get(node.inputs[1] ?? '');
        if (target === undefined) throw new UnsupportedAttributeError(node.op, node.name, 'shape', 'must be a constant initializer');
        out = target.map((t, i) => (t === 0 ? (x[i] ?? 1) : t));
        const known = out.filter((d): d is number => typeof d === 'number' && d !== -1).reduce((a, b) => a * b, 1);
        const inner = x.slice(1);
        const batchKept = out[0] === 'N';
        if (out.includes(-1)) {
          const total = batchKept ? product(inner) : product(x);
          out = out.map((d) => (d === -1 ? (typeof total === 'number' ? total / known : 'N') : d));
        }
        break;
      }
      default:
        throw new UnsupportedOpError(node.op, node.name);
    }
    const first = node.outputs[0];
    if (first !== undefined) shapes.set(first, out);
  }
  return shapes;
}
