/**
 * Update encodings, mirroring @learnchain/model's layout byte for byte (that
 * package loads onnxruntime, which the aggregator does not need):
 *
 *   little-endian: magic "LCU1", u8 tag (1 float32, 2 float16, 3 int8),
 *   3 zero bytes, u32 value count, u32 tensor count; for int8 then one
 *   float32 scale per tensor; then the values (4, 2 or 1 bytes each).
 *
 * The size rule SubmitUpdate enforces follows from it exactly:
 *   float32: 16 + 4·P    float16: 16 + 2·P    int8: 16 + 4·T + P
 * for a model of P parameters in T tensors.
 */
import { UpdateEncodingError } from './errors';

export type UpdateEncoding = 'float32' | 'float16' | 'int8';

/** One tensor's place in the flat parameter vector. */
export interface TensorSlice {
  readonly offset: number;
  readonly size: number;
}

/** The layout the job's manifest gives: P values in T tensors. */
export interface ParameterLayout {
  readonly size: number;
  readonly tensors: readonly TensorSlice[];
}

const TAGS: Record<UpdateEncoding, number> = { float32: 1, float16: 2, int8: 3 };
const MAGIC = 0x3155434c; // "LCU1"
export const UPDATE_HEADER_BYTES = 16;

/** A layout of one tensor holding every parameter (a job without a manifest). */
export function flatLayout(size: number): ParameterLayout {
  return { size, tensors: [{ offset: 0, size }] };
}

/** The exact byte size of an encoded update for `layout`. */
export function encodedSize(encoding: UpdateEncoding, layout: ParameterLayout): number {
  switch (encoding) {
    case 'float32':
      return UPDATE_HEADER_BYTES + 4 * layout.size;
    case 'float16':
      return UPDATE_HEADER_BYTES + 2 * layout.size;
    case 'int8':
      return UPDATE_HEADER_BYTES + 4 * layout.tensors.length + layout.size;
  }
}

/** Checks the 16-byte header against what the round expects; throws UpdateEncodingError. */
export function checkUpdateHeader(prefix: Uint8Array, encoding: UpdateEncoding, layout: ParameterLayout): void {
  if (prefix.byteLength < UPDATE_HEADER_BYTES) throw new UpdateEncodingError(`${prefix.byteLength} bytes is shorter than the header`);
  const view = new DataView(prefix.buffer, prefix.byteOffset, UPDATE_HEADER_BYTES);
  if (view.getUint32(0, true) !== MAGIC) throw new UpdateEncodingError('bad magic');
  if (view.getUint8(4) !== TAGS[encoding]) throw new UpdateEncodingError(`encoding tag ${view.getUint8(4)} is not ${encoding}`);
  if (view.getUint32(8, true) !== layout.size) throw new UpdateEncodingError(`${view.getUint32(8, true)} values, the model has ${layout.size}`);
  if (view.getUint32(12, true) !== layout.tensors.length) throw new UpdateEncodingError(`${view.getUint32(12, true)} tensors, the model has ${layout.tensors.length}`);
}

function fromHalf(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >>> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function toHalf(value: number): number {
  f32[0] = value;
  const x = u32[0] ?? 0;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let h = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    if (rest > half || (rest === half && (h & 1) === 1)) h += 1;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1)) h += 1;
  return sign | h;
}

/** Encodes a delta (used by tests and tools; trainers use @learnchain/model's identical encoder). */
export function encodeUpdate(values: Float32Array, layout: ParameterLayout, encoding: UpdateEncoding): Uint8Array {
  if (values.length !== layout.size) throw new UpdateEncodingError(`${values.length} values, the layout has ${layout.size}`);
  const out = new Uint8Array(encodedSize(encoding, layout));
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint8(4, TAGS[encoding]);
  view.setUint32(8, values.length, true);
  view.setUint32(12, layout.tensors.length, true);
  const scales = encoding === 'int8' ? 4 * layout.tensors.length : 0;
  const body = UPDATE_HEADER_BYTES + scales;
  if (encoding === 'float32') for (let i = 0; i < values.length; i++) view.setFloat32(body + 4 * i, values[i] ?? 0, true);
  else if (encoding === 'float16') for (let i = 0; i < values.length; i++) view.setUint16(body + 2 * i, toHalf(values[i] ?? 0), true);
  else
    layout.tensors.forEach((t, k) => {
      let max = 0;
      for (let i = t.offset; i < t.offset + t.size; i++) max = Math.max(max, Math.abs(values[i] ?? 0));
      const scale = max / 127;
      view.setFloat32(UPDATE_HEADER_BYTES + 4 * k, scale, true);
      for (let i = t.offset; i < t.offset + t.size; i++) view.setInt8(body + i, scale === 0 ? 0 : Math.max(-127, Math.min(127, Math.round((values[i] ?? 0) / scale))));
    });
  return out;
}

/** Decodes an update of `encoding` for `layout` into a float32 delta; throws UpdateEncodingError. */
export function decodeUpdate(bytes: Uint8Array, encoding: UpdateEncoding, layout: ParameterLayout): Float32Array {
  checkUpdateHeader(bytes, encoding, layout);
  if (bytes.byteLength !== encodedSize(encoding, layout)) throw new UpdateEncodingError(`${bytes.byteLength} bytes, expected ${encodedSize(encoding, layout)}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const scales = encoding === 'int8' ? 4 * layout.tensors.length : 0;
  const body = UPDATE_HEADER_BYTES + scales;
  const out = new Float32Array(layout.size);
  if (encoding === 'float32') for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(body + 4 * i, true);
  else if (encoding === 'float16') for (let i = 0; i < out.length; i++) out[i] = fromHalf(view.getUint16(body + 2 * i, true));
  else
    layout.tensors.forEach((t, k) => {
      const scale = view.getFloat32(UPDATE_HEADER_BYTES + 4 * k, true);
      for (let i = t.offset; i < t.offset + t.size; i++) out[i] = view.getInt8(body + i) * scale;
    });
  return out;
}

/** The float32 parameter vector stored as a model blob (little-endian). */
export function parametersOf(bytes: Uint8Array): Float32Array {
  if (bytes.byteLength % 4 !== 0) throw new UpdateEncodingError(`a parameter blob of ${bytes.byteLength} bytes is not float32`);
  const out = new Float32Array(bytes.byteLength / 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

/** The little-endian bytes of a float32 parameter vector, as stored. */
export function parameterBytes(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(4 * i, values[i] ?? 0, true);
  return out;
}
