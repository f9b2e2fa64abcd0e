/**
 * ONNX ModelProto encoding and decoding for the subset in types.ts. Field
 * numbers follow onnx/onnx.proto (ir_version 8).
 */
import { InvalidGraphError } from '../errors';
import { bytesOf, floats, int64, int64s, ProtoWriter, readFields, stringOf, type ProtoField } from './protobuf';
import type { Attribute, Dim, ElemType, Graph, Model, Node, Tensor, ValueInfo } from './types';

const DATA_TYPE: Record<ElemType, number> = { float32: 1, int32: 6, int64: 7, bool: 9, float64: 11 };
const ELEM_OF: ReadonlyMap<number, ElemType> = new Map(
  Object.entries(DATA_TYPE).map(([k, v]) => [v, k as ElemType]),
);

function elemType(code: number, where: string): ElemType {
  const t = ELEM_OF.get(code);
  if (t === undefined) throw new InvalidGraphError(`${where}: unsupported tensor data type ${code}`);
  return t;
}

function tensorBytes(t: Tensor): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

function writeTensor(w: ProtoWriter, t: Tensor): void {
  for (const d of t.dims) w.int(1, d);
  w.int(2, DATA_TYPE[t.type]);
  w.string(8, t.name);
  w.bytes(9, tensorBytes(t));
}

function writeAttribute(w: ProtoWriter, name: string, a: Attribute): void {
  w.string(1, name);
  switch (a.kind) {
    case 'float':
      w.float(2, a.value).int(20, 1);
      break;
    case 'int':
      w.int(3, a.value).int(20, 2);
      break;
    case 'string':
      w.string(4, a.value).int(20, 3);
      break;
    case 'tensor':
      w.message(5, (t) => writeTensor(t, a.value)).int(20, 4);
      break;
    case 'floats':
      for (const v of a.value) w.float(7, v);
      w.int(20, 6);
      break;
    case 'ints':
      for (const v of a.value) w.int(8, v);
      w.int(20, 7);
      break;
  }
}

function writeValueInfo(w: ProtoWriter, v: ValueInfo): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, DATA_TYPE[v.type]);
      tensor.message(2, (shape) => {
        for (const d of v.shape) {
          shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
        }
      });
    }),
  );
}

function writeNode(w: ProtoWriter, n: Node): void {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name);
  w.string(4, n.op);
  for (const [name, a] of Object.entries(n.attributes)) w.message(5, (x) => writeAttribute(x, name, a));
  if (n.domain !== undefined && n.domain !== '') w.string(7, n.domain);
}

/** Serialises a model to ONNX ModelProto bytes. */
export function encodeModel(model: Model): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, model.irVersion);
  w.string(2, model.producerName);
  w.message(7, (g) => {
    for (const n of model.graph.nodes) g.message(1, (x) => writeNode(x, n));
    g.string(2, model.graph.name);
    for (const t of model.graph.initializers) g.message(5, (x) => writeTensor(x, t));
    for (const v of model.graph.inputs) g.message(11, (x) => writeValueInfo(x, v));
    for (const v of model.graph.outputs) g.message(12, (x) => writeValueInfo(x, v));
  });
  w.message(8, (o) => o.string(1, '').int(2, model.opsetVersion));
  return w.finish();
}

function readTensor(bytes: Uint8Array): Tensor {
  const f = readFields(bytes);
  const name = stringOf(f, 8);
  const dims = int64s(f, 1);
  const type = elemType(int64(f, 2), `tensor '${name}'`);
  const count = dims.reduce((a, b) => a * b, 1);
  const raw = bytesOf(f, 9)[0];
  if (int64(f, 14) === 1) throw new InvalidGraphError(`tensor '${name}' uses external data, which is not supported`);
  if (raw !== undefined) {
    const copy = raw.slice().buffer;
    switch (type) {
      case 'float32':
        return { name, type, dims, data: new Float32Array(copy, 0, count) };
      case 'float64':
        return { name, type, dims, data: new Float64Array(copy, 0, count) };
      case 'int64':
        return { name, type, dims, data: new BigInt64Array(copy, 0, count) };
      case 'int32':
        return { name, type, dims, data: new Int32Array(copy, 0, count) };
      case 'bool':
        return { name, type, dims, data: new Uint8Array(copy, 0, count) };
    }
  }
  switch (type) {
    case 'float32':
      return { name, type, dims, data: Float32Array.from(floats(f, 4)) };
    case 'int64':
      return { name, type, dims, data: BigInt64Array.from(int64s(f, 7).map((v) => BigInt(v))) };
    case 'int32':
      return { name, type, dims, data: Int32Array.from(int64s(f, 5)) };
    case 'bool':
      return { name, type, dims, data: Uint8Array.from(int64s(f, 5)) };
    case 'float64':
      throw new InvalidGraphError(`tensor '${name}': float64 without raw_data is not supported`);
  }
}

function readAttribute(bytes: Uint8Array): [string, Attribute] {
  const f = readFields(bytes);
  const name = stringOf(f, 1);
  const type = int64(f, 20);
  const last = (field: number): ProtoField | undefined => f.filter((x) => x.field === field).pop();
  switch (type) {
    case 1: {
      const v = last(2);
      return [name, { kind: 'float', value: v?.wire === 'fixed32' ? v.value : 0 }];
    }
    case 2:
      return [name, { kind: 'int', value: int64(f, 3) }];
    case 3:
      return [name, { kind: 'string', value: stringOf(f, 4) }];
    case 4: {
      const t = bytesOf(f, 5)[0];
      if (t === undefined) throw new InvalidGraphError(`attribute ${name} has no tensor`);
      return [name, { kind: 'tensor', value: readTensor(t) }];
    }
    case 6:
      return [name, { kind: 'floats', value: floats(f, 7) }];
    case 7:
      return [name, { kind: 'ints', value: int64s(f, 8) }];
    default:
      throw new InvalidGraphError(`attribute ${name} has unsupported type ${type}`);
  }
}

function readNode(bytes: Uint8Array): Node {
  const f = readFields(bytes);
  const attributes: Record<string, Attribute> = {};
  for (const a of bytesOf(f, 5)) {
    const [name, value] = readAttribute(a);
    attributes[name] = value;
  }
  const domain = stringOf(f, 7);
  const node: Node = {
    op: stringOf(f, 4),
    name: stringOf(f, 3),
    inputs: bytesOf(f, 1).map((b) => Buffer.from(b).toString('utf8')),
    outputs: bytesOf(f, 2).map((b) => Buffer.from(b).toString('utf8')),
    attributes,
  };
  return domain === '' ? node : { ...node, domain };
}

function readValueInfo(bytes: Uint8Array): ValueInfo {
  const f = readFields(bytes);
  const name = stringOf(f, 1);
  const type = readFields(bytesOf(f, 2)[0] ?? new Uint8Array());
  const tensor = readFields(bytesOf(type, 1)[0] ?? new Uint8Array());
  const shape: Dim[] = [];
  for (const d of bytesOf(readFields(bytesOf(tensor, 2)[0] ?? new Uint8Array()), 1)) {
    const df = readFields(d);
    const param = stringOf(df, 2);
    shape.push(df.some((x) => x.field === 1) ? int64(df, 1) : param === '' ? '?' : param);
  }
  return { name, type: elemType(int64(tensor, 1), `value '${name}'`), shape };
}

/** Parses ONNX ModelProto bytes (the subset in types.ts). */
export function decodeModel(bytes: Uint8Array): Model {
  const f = readFields(bytes);
  const graphBytes = bytesOf(f, 7)[0];
  if (graphBytes === undefined) throw new InvalidGraphError('model has no graph');
  const g = readFields(graphBytes);
  let opsetVersion = 0;
  for (const o of bytesOf(f, 8)) {
    const of = readFields(o);
    const domain = stringOf(of, 1);
    if (domain === '' || domain === 'ai.onnx') opsetVersion = int64(of, 2);
  }
  const graph: Graph = {
    name: stringOf(g, 2),
    nodes: bytesOf(g, 1).map(readNode),
    initializers: bytesOf(g, 5).map(readTensor),
    inputs: bytesOf(g, 11).map(readValueInfo),
    outputs: bytesOf(g, 12).map(readValueInfo),
  };
  return { irVersion: int64(f, 1), opsetVersion, producerName: stringOf(f, 2), graph };
}
