/** In-memory form of the ONNX subset this package writes and reads. */

/** Element types used by the graphs here. */
export type ElemType = 'float32' | 'int64' | 'bool' | 'float64' | 'int32';

/** A named constant tensor (an initializer, or a Constant's value). */
export interface Tensor {
  readonly name: string;
  readonly type: ElemType;
  readonly dims: readonly number[];
  /** float32 → Float32Array, float64 → Float64Array, int64 → BigInt64Array, int32 → Int32Array, bool → Uint8Array. */
  readonly data: Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;
}

/** One attribute value; the tag decides its ONNX AttributeType. */
export type Attribute =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'tensor'; readonly value: Tensor };

/** A graph node. */
export interface Node {
  readonly op: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Readonly<Record<string, Attribute>>;
  readonly domain?: string;
}

/** A dimension: a fixed size, or a symbolic name such as 'N' for the batch. */
export type Dim = number | string;

/** A graph input or output with its type. */
export interface ValueInfo {
  readonly name: string;
  readonly type: ElemType;
  readonly shape: readonly Dim[];
}

/** A graph. */
export interface Graph {
  readonly name: string;
  readonly nodes: readonly Node[];
  readonly initializers: readonly Tensor[];
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
}

/** A model: a graph plus the versions it is written for. */
export interface Model {
  readonly irVersion: number;
  readonly opsetVersion: number;
  readonly producerName: string;
  readonly graph: Graph;
}

/** The default ONNX versions written by this package. */
export const IR_VERSION = 8;
export const OPSET_VERSION = 17;

/** Attribute constructors. */
export const attr = {
  int: (value: number): Attribute => ({ kind: 'int', value }),
  float: (value: number): Attribute => ({ kind: 'float', value }),
  ints: (value: readonly number[]): Attribute => ({ kind: 'ints', value }),
  floats: (value: readonly number[]): Attribute => ({ kind: 'floats', value }),
  string: (value: string): Attribute => ({ kind: 'string', value }),
  tensor: (value: Tensor): Attribute => ({ kind: 'tensor', value }),
};
