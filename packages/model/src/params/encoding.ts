/**
 * Update encodings for a flat parameter vector: float32 (exact), float16
 * (round to nearest even) and int8 (symmetric, one scale per manifest tensor).
 *
 * Layout, little-endian: magic "LCU1", u8 tag (1 float32, 2 float16, 3 int8),
 * 3 zero bytes, u32 value count, u32 tensor count; for int8 then one float32
 * scale per tensor; then the values (4, 2 or 1 bytes each).
 */
import { UpdateEncodingError } from '../errors';
import type { Manifest } from './manifest';
import { checkSize } from './manifest';

/** The encoding tag. */
export type UpdateEncoding = 'float32' | 'float16' | 'int8';

const TAGS: Record<UpdateEncoding, number> = { float32: 1, float16: 2, int8: 3 };
const MAGIC = 0x3155434c; // "LCU1"
const HEADER = 16;

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

/** Encodes a flat vector (parameters or a delta) laid out by `manifest`. */
export function encodeUpdate(values: Float32Array, manifest: Manifest, encoding: UpdateEncoding): Uint8Array {
  checkSize(manifest, values);
  const tensors = manifest.entries.length;
  const scales = encoding === 'int8' ? 4 * tensors : 0;
  const width = encoding === 'float32' ? 4 : encoding === 'float16' ? 2 : 1;
  const out = new Uint8Array(HEADER + scales + width * values.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint8(4, TAGS[encoding]);
  view.setUint32(8, values.length, true);
  view.setUint32(12, tensors, true);
  const body = HEADER + scales;
  switch (encoding) {
    case 'float32':
      for (let i = 0; i < values.length; i++) view.setFloat32(body + 4 * i, values[i] ?? 0, true);
      break;
    case 'float16':
      for (let i = 0; i < values.length; i++) view.setUint16(body + 2 * i, toHalf(values[i] ?? 0), true);
      break;
    case 'int8':
      manifest.entries.forEach((e, t) => {
        let max = 0;
        for (let i = e.offset; i < e.offset + e.size; i++) max = Math.max(max, Math.abs(values[i] ?? 0));
        const scale = max / 127;
        view.setFloat32(HEADER + 4 * t, scale, true);
        for (let i = e.offset; i < e.offset + e.size; i++) {
          const q = scale === 0 ? 0 : Math.max(-127, Math.min(127, Math.round((values[i] ?? 0) / scale)));
          view.setInt8(body + i, q);
        }
      });
      break;
  }
  return out;
}

/** The encoding tag of encoded bytes. */
export function encodingOf(bytes: Uint8Array): UpdateEncoding {
  if (bytes.length < HEADER) throw new UpdateEncodingError(`${bytes.length} bytes is shorter than the ${HEADER}-byte header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw new UpdateEncodingError('bad magic');
  const tag = view.getUint8(4);
  const found = (Object.keys(TAGS) as UpdateEncoding[]).find((k) => TAGS[k] === tag);
  if (found === undefined) throw new UpdateEncodingError(`unknown encoding tag ${tag}`);
  return found;
}

/** Decodes bytes from encodeUpdate for the same manifest; exact for float32. */
export function decodeUpdate(bytes: Uint8Array, manifest: Manifest): Float32Array {
  const encoding = encodingOf(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(8, true);
  const tensors = view.getUint32(12, true);
  if (count !== manifest.size) throw new UpdateEncodingError(`${count} values, the manifest needs ${manifest.size}`);
  if (tensors !== manifest.entries.length) throw new UpdateEncodingError(`${tensors} tensors, the manifest has ${manifest.entries.length}`);
  const scales = encoding === 'int8' ? 4 * tensors : 0;
  const width = encoding === 'float32' ? 4 : encoding === 'float16' ? 2 : 1;
  if (bytes.length !== HEADER + scales + width * count) {
    throw new UpdateEncodingError(`${bytes.length} bytes, expected ${HEADER + scales + width * count}`);
  }
  const body = HEADER + scales;
  const out = new Float32Array(count);
  switch (encoding) {
    case 'float32':
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(body + 4 * i, true);
      break;
    case 'float16':
      for (let i = 0; i < count; i++) out[i] = fromHalf(view.getUint16(body + 2 * i, true));
      break;
    case 'int8':
      manifest.entries.forEach((e, t) => {
        const scale = view.getFloat32(HEADER + 4 * t, true);
        for (let i = e.offset; i < e.offset + e.size; i++) out[i] = view.getInt8(body + i) * scale;
      });
      break;
  }
  return out;
}
