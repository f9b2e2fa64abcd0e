/**
 * A WebAssembly module writer for the few instructions the aggregation kernels use: each kernel is
 * generated as straight-line code for its update count, so the values of one group of coordinates
 * stay in registers. Instructions are byte arrays; `op` builds them.
 */

/** Value types. */
export const I32 = 0x7f;
export const V128 = 0x7b;

/** Unsigned LEB128. */
function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 of a 32-bit integer. */
function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const simd = (code: number): number[] => [0xfd, ...uleb(code)];
/** alignment 2^4 = 16 bytes, constant offset */
const memarg = (offset: number): number[] => [4, ...uleb(offset)];

/** i8x16.shuffle lanes moving the upper two float32 lanes of a vector to the lower two (the upper two are don't-care). */
export const HIGH_HALF = [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];

/** The instructions, by their text-format names. */
export const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (depth: number): number[] => [0x0c, ...uleb(depth)],
  brIf: (depth: number): number[] => [0x0d, ...uleb(depth)],
  localGet: (i: number): number[] => [0x20, ...uleb(i)],
  localSet: (i: number): number[] => [0x21, ...uleb(i)],
  localTee: (i: number): number[] => [0x22, ...uleb(i)],
  i32Const: (v: number): number[] => [0x41, ...sleb(v)],
  i32Add: [0x6a],
  i32Mul: [0x6c],
  i32GeU: [0x4f],
  v128Load: (offset: number): number[] => [...simd(0x00), ...memarg(offset)],
  v128Store: (offset: number): number[] => [...simd(0x0b), ...memarg(offset)],
  i8x16Shuffle: (lanes: readonly number[]): number[] => [...simd(0x0d), ...lanes],
  f64x2Splat: simd(0x14),
  f32x4Le: simd(0x45),
  f32x4Ge: simd(0x46),
  v128And: simd(0x4e),
  f32x4DemoteF64x2Zero: simd(0x5e),
  f64x2PromoteLowF32x4: simd(0x5f),
  i32x4Sub: simd(0xb1),
  /** pmin(a, b) = b < a ? b : a */
  f32x4Pmin: simd(0xea),
  /** pmax(a, b) = a < b ? b : a */
  f32x4Pmax: simd(0xeb),
  f64x2Add: simd(0xf0),
  f64x2Mul: simd(0xf2),
  f64x2Div: simd(0xf3),
  f64Const: (v: number): number[] => {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setFloat64(0, v, true);
    return [0x44, ...bytes];
  },
} as const;

/** A function body being written: `emit` appends instructions to `body`. */
export interface Code {
  readonly body: (readonly number[])[];
  emit(...code: (readonly number[])[]): void;
}

/** An empty function body to write into. */
export function code(): Code {
  const body: (readonly number[])[] = [];
  return { body, emit: (...instructions) => void body.push(...instructions) };
}

/**
 * The kernels' loop over groups of four float32 lanes: given the group count in local `groups`,
 * runs what `each` emits once per group, with the group's byte offset (16 per group) in local `p`;
 * local `end` holds where it stops.
 */
export function eachGroup({ emit }: Code, locals: { readonly groups: number; readonly p: number; readonly end: number }, each: () => void): void {
  const { groups, p, end } = locals;
  emit(op.localGet(groups), op.i32Const(16), op.i32Mul, op.localSet(end), op.i32Const(0), op.localSet(p));
  emit(op.block, op.loop, op.localGet(p), op.localGet(end), op.i32GeU, op.brIf(1));
  each();
  emit(op.localGet(p), op.i32Const(16), op.i32Add, op.localSet(p), op.br(0), op.end, op.end);
}

/**
 * Copies source[j0, j0 + len) into target from `at`, then zeros it up to a whole number of
 * four-lane groups; returns that number of groups.
 */
export function loadGroups(target: Float32Array, at: number, source: Float32Array, j0: number, len: number): number {
  const groups = Math.ceil(len / 4);
  target.set(source.subarray(j0, j0 + len), at);
  target.fill(0, at + len, at + 4 * groups);
  return groups;
}

/** One exported function: its i32 parameters, no results, its extra locals as (count, type) runs. */
export interface WasmFunction {
  readonly name: string;
  readonly params: number;
  readonly locals: readonly (readonly [number, number])[];
  readonly body: readonly (readonly number[])[];
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function vector(items: readonly number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(text: string): number[] {
  const bytes = [...new TextEncoder().encode(text)];
  return [...uleb(bytes.length), ...bytes];
}

/** A module with one memory of `pages` 64 KiB pages exported as "memory", and the functions. */
export function wasmModule(pages: number, functions: readonly WasmFunction[]): Uint8Array {
  const types = functions.map((f) => [0x60, ...uleb(f.params), ...new Array<number>(f.params).fill(I32), 0]);
  const codes = functions.map((f) => {
    const body = [...vector(f.locals.map(([count, type]) => [...uleb(count), type])), ...f.body.flat(), ...op.end];
    return [...uleb(body.length), ...body];
  });
  const exported = [
    [...name('memory'), 0x02, 0],
    ...functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]),
  ];
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector(types)),
    ...section(3, vector(functions.map((_, i) => uleb(i)))),
    ...section(5, vector([[0x00, ...uleb(pages)]])),
    ...section(7, vector(exported)),
    ...section(10, vector(codes)),
  ]);
}

/** The part of the WebAssembly JavaScript API used here: a global in Node, typed only by the DOM library. */
interface WebAssemblyApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object) => { readonly exports: Record<string, unknown> };
}

/** An instance's exports: its "memory" buffer and its functions. */
export interface Instantiated {
  readonly memory: ArrayBuffer;
  readonly functions: Readonly<Record<string, (...args: number[]) => void>>;
}

/** Compiles and instantiates a module written by `wasmModule` (synchronously: the kernels are small). */
export function instantiate(bytes: Uint8Array): Instantiated {
  const api = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
  const { exports } = new api.Instance(new api.Module(bytes));
  const { memory, ...functions } = exports as { memory: { buffer: ArrayBuffer } } & Record<string, (...args: number[]) => void>;
  return { memory: memory.buffer, functions };
}

/**
 * A per-thread cache of kernels, keyed by the numbers each was generated for (a kernel owns its memory,
 * so a thread uses one at a time); past `limit` kernels the oldest is dropped.
 */
export function kernelCache<A extends readonly number[], V>(limit: number, make: (...args: A) => V): (...args: A) => V {
  const kernels = new Map<string, V>();
  return (...args) => {
    const key = args.join(':');
    let kernel = kernels.get(key);
    if (kernel === undefined) {
      kernel = make(...args);
      if (kernels.size >= limit) kernels.delete(kernels.keys().next().value!);
      kernels.set(key, kernel);
    }
    return kernel;
  };
}
