/**
 * Update encodings for a flat parameter vector: float32 (exact), float16
 * (round to nearest even) and int8 (symmetric, one scale per tensor of the
 * layout). Trainers encode with it, the aggregator checks and decodes with it,
 * validators decode with it to re-execute a round: one implementation, so the
 * values the aggregator aggregates are the values every validator recomputes.
 *
 * Layout, little-endian: magic "LCU1", u8 tag (1 float32, 2 float16, 3 int8),
 * 3 zero bytes, u32 value count, u32 tensor count; for int8 then one float32
 * scale per tensor; then the values (4, 2 or 1 bytes each). The size follows:
 *   float32: 16 + 4·P    float16: 16 + 2·P    int8: 16 + 4·T + P
 * for P parameters in T tensors.
 *
 * This file loads no native code (it is the `@learnchain/model/encoding` entry).
 */
import { UpdateEncodingError } from '../errors';

/** The encoding tag. */
export type UpdateEncoding = 'float32' | 'float16' | 'int8';

/** Every encoding, in tag order. */
export const UPDATE_ENCODINGS: readonly UpdateEncoding[] = ['float32', 'float16', 'int8'];

/** One tensor's place in the flat parameter vector. */
export interface TensorSlice {
  readonly offset: number;
  readonly size: number;
}

/** P values in T tensors; a Manifest is one. */
export interface ParameterLayout {
  readonly size: number;
  readonly entries: readonly TensorSlice[];
}

const TAGS: Record<UpdateEncoding, number> = { float32: 1, float16: 2, int8: 3 };
const MAGIC = 0x3155434c; // "LCU1"

/** Bytes before the scales and values. */
export const UPDATE_HEADER_BYTES = 16;

/** Whether `value` names an encoding. */
export function isUpdateEncoding(value: unknown): value is UpdateEncoding {
  return value === 'float32' || value === 'float16' || value === 'int8';
}

/** Each encoding by its name, its wire enum (learnchain.v1.DType) and that enum's number. */
const NAMED: Readonly<Record<string, UpdateEncoding>> = {
  float32: 'float32',
  float16: 'float16',
  int8: 'int8',
  DTYPE_FLOAT32: 'float32',
  '1': 'float32',
  DTYPE_FLOAT16: 'float16',
  '2': 'float16',
  DTYPE_INT8: 'int8',
  '3': 'int8',
};

/**
 * The update encoding a job names: by name ('int8'), by wire enum
 * ('DTYPE_INT8') or by that enum's number (3 or '3'); none named (absent,
 * null, 'DTYPE_UNSPECIFIED', 0) is float32. Undefined for anything else.
 */
export function updateEncodingNamed(value: unknown): UpdateEncoding | undefined {
  if (value === undefined || value === null || value === 'DTYPE_UNSPECIFIED' || value === 0) return 'float32';
  const key = String(value);
  return Object.hasOwn(NAMED, key) ? NAMED[key] : undefined;
}

/** One tensor holding every parameter (a job without a manifest). */
export function flatLayout(size: number): ParameterLayout {
  return { size, entries: [{ offset: 0, size }] };
}

/**
 * The layout updates of a model with `size` parameters are encoded in: the
 * job's tensors when they cover exactly `size` values, otherwise one flat
 * tensor. Trainers, the aggregator and validators all apply this rule.
 */
export function layoutOf(tensors: readonly TensorSlice[], size: number): ParameterLayout {
  let total = 0;
  for (const t of tensors) total += t.size;
  return tensors.length > 0 && total === size ? { size, entries: tensors } : flatLayout(size);
}

/** The exact byte size of an update of `encoding` for `layout`. */
export function encodedSize(encoding: UpdateEncoding, layout: ParameterLayout): number {
  switch (encoding) {
    case 'float32':
      return UPDATE_HEADER_BYTES + 4 * layout.size;
    case 'float16':
      return UPDATE_HEADER_BYTES + 2 * layout.size;
    case 'int8':
      return UPDATE_HEADER_BYTES + 4 * layout.entries.length + layout.size;
  }
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 → IEEE half bits, rounding to nearest even; overflow becomes ±Infinity, NaN stays NaN. */
export function toHalf(value: number): number {
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

/** IEEE half bits → number. */
export function fromHalf(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >>> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Whether this machine keeps numbers little-endian, as the encodings store them (then float32 values copy as bytes). */
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Fills `out` with the little-endian float32 values stored in `bytes` from `offset`. */
function readFloat32s(bytes: Uint8Array, offset: number, out: Float32Array): void {
  if (LITTLE_ENDIAN) {
    new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(bytes.subarray(offset, offset + out.byteLength));
    return;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(offset + 4 * i, true);
}

/** Stores `values` as little-endian float32 in `out` from `offset`. */
function writeFloat32s(values: Float32Array, out: Uint8Array, offset: number): void {
  if (LITTLE_ENDIAN) {
    out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), offset);
    return;
  }
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let i = 0; i < values.length; i++) view.setFloat32(offset + 4 * i, values[i] ?? 0, true);
}

/** Encodes a flat vector (parameters or a delta) laid out by `layout`. */
export function encodeUpdate(values: Float32Array, layout: ParameterLayout, encoding: UpdateEncoding): Uint8Array {
  if (values.length !== layout.size) throw new UpdateEncodingError(`${values.length} values, the layout has ${layout.size}`);
  const tensors = layout.entries.length;
  const out = new Uint8Array(encodedSize(encoding, layout));
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint8(4, TAGS[encoding]);
  view.setUint32(8, values.length, true);
  view.setUint32(12, tensors, true);
  const body = UPDATE_HEADER_BYTES + (encoding === 'int8' ? 4 * tensors : 0);
  switch (encoding) {
    case 'float32':
      writeFloat32s(values, out, body);
      break;
    case 'float16':
      for (let i = 0; i < values.length; i++) view.setUint16(body + 2 * i, toHalf(values[i] ?? 0), true);
      break;
    case 'int8':
      layout.entries.forEach((e, t) => {
        let max = 0;
        for (let i = e.offset; i < e.offset + e.size; i++) max = Math.max(max, Math.abs(values[i] ?? 0));
        const scale = max / 127;
        view.setFloat32(UPDATE_HEADER_BYTES + 4 * t, scale, true);
        for (let i = e.offset; i < e.offset + e.size; i++) {
          const q = scale === 0 ? 0 : Math.max(-127, Math.min(127, Math.round((values[i] ?? 0) / scale)));
          view.setInt8(body + i, q);
        }
      });
      break;
  }
  return out;
}

/** The encoding tag of encoded bytes; throws UpdateEncodingError. */
export function encodingOf(bytes: Uint8Array): UpdateEncoding {
  if (bytes.length < UPDATE_HEADER_BYTES) throw new UpdateEncodingError(`${bytes.length} bytes is shorter than the ${UPDATE_HEADER_BYTES}-byte header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw new UpdateEncodingError('bad magic');
  const tag = view.getUint8(4);
  const found = UPDATE_ENCODINGS.find((k) => TAGS[k] === tag);
  if (found === undefined) throw new UpdateEncodingError(`unknown encoding tag ${tag}`);
  return found;
}

/**
 * Checks a header (the first 16 bytes suffice) against what is expected: the
 * encoding, the value count and the tensor count of `layout`; throws UpdateEncodingError.
 */
export function checkUpdateHeader(prefix: Uint8Array, encoding: UpdateEncoding, layout: ParameterLayout): void {
  const found = encodingOf(prefix);
  if (found !== encoding) throw new UpdateEncodingError(`encoding tag ${TAGS[found]} (${found}) is not ${encoding}`);
  const view = new DataView(prefix.buffer, prefix.byteOffset, UPDATE_HEADER_BYTES);
  const count = view.getUint32(8, true);
  const tensors = view.getUint32(12, true);
  if (count !== layout.size) throw new UpdateEncodingError(`${count} values, the model has ${layout.size}`);
  if (tensors !== layout.entries.length) throw new UpdateEncodingError(`${tensors} tensors, the model has ${layout.entries.length}`);
}

/**
 * Decodes bytes from encodeUpdate for the same layout (exact for float32);
 * with `expected`, refuses any other encoding. Writes into `out` when given
 * (e.g. an array in shared memory), which must hold `layout.size` values.
 * Throws UpdateEncodingError.
 */
export function decodeUpdate(bytes: Uint8Array, layout: ParameterLayout, expected?: UpdateEncoding, out?: Float32Array): Float32Array {
  const encoding = expected ?? encodingOf(bytes);
  checkUpdateHeader(bytes, encoding, layout);
  const size = encodedSize(encoding, layout);
  if (bytes.byteLength !== size) throw new UpdateEncodingError(`${bytes.byteLength} bytes, expected ${size}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (out !== undefined && out.length !== layout.size) throw new UpdateEncodingError(`an output of ${out.length} values for ${layout.size}`);
  const body = UPDATE_HEADER_BYTES + (encoding === 'int8' ? 4 * layout.entries.length : 0);
  const values = out ?? new Float32Array(layout.size);
  switch (encoding) {
    case 'float32':
      readFloat32s(bytes, body, values);
      break;
    case 'float16':
      for (let i = 0; i < values.length; i++) values[i] = fromHalf(view.getUint16(body + 2 * i, true));
      break;
    case 'int8':
      layout.entries.forEach((e, t) => {
        const scale = view.getFloat32(UPDATE_HEADER_BYTES + 4 * t, true);
        for (let i = e.offset; i < e.offset + e.size; i++) values[i] = view.getInt8(body + i) * scale;
      });
      break;
  }
  return values;
}

/** The float32 parameter vector of a model blob (little-endian; copied, so alignment never matters). */
export function parametersOf(bytes: Uint8Array): Float32Array {
  if (bytes.byteLength % 4 !== 0) throw new UpdateEncodingError(`a parameter blob of ${bytes.byteLength} bytes is not float32`);
  const out = new Float32Array(bytes.byteLength / 4);
  readFloat32s(bytes, 0, out);
  return out;
}

/** The little-endian bytes of a float32 parameter vector, as stored and hashed. */
export function parameterBytes(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  writeFloat32s(values, out, 0);
  return out;
}
