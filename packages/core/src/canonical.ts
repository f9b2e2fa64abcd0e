/**
 * The learnchain canonical encoding: one byte string per value, so that what is
 * signed or hashed never depends on field order, optional defaults or the
 * serializer. Protobuf bytes are not canonical (field order, unknown fields,
 * default elision and varint widths all vary), so every signature and content id
 * is computed over this encoding of a plain statement instead.
 *
 * Grammar (each value starts with a one-byte tag):
 *   0x00 null | 0x01 false | 0x02 true
 *   0x03 varint n            non-negative integer n
 *   0x04 varint n            negative integer -(n + 1)
 *   0x05 f64 (big-endian)    finite non-integer number
 *   0x06 varint len, bytes   byte string
 *   0x07 varint len, utf-8   text
 *   0x08 varint count, values            list
 *   0x09 varint count, (key, value)*     map: text keys, strictly ascending by
 *                                        their UTF-8 bytes, no duplicates
 * Varints are unsigned LEB128 of minimal length. Integers are always encoded as
 * integers, whether they come as number or bigint; a map entry whose value is
 * undefined is absent. Decoding refuses anything that encoding would not produce.
 */
import { CanonicalDecodingError, CanonicalEncodingError } from './errors';
import { compareBytes } from './bytes';

export type Canonical =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | readonly Canonical[]
  | { readonly [key: string]: Canonical | undefined };

const TAG = { null: 0, false: 1, true: 2, uint: 3, nint: 4, float: 5, bytes: 6, text: 7, list: 8, map: 9 } as const;

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

class Writer {
  private buffer = new Uint8Array(256);
  private length = 0;

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
  }

  byte(value: number): void {
    this.reserve(1);
    this.buffer[this.length++] = value;
  }

  bytes(value: Uint8Array): void {
    this.reserve(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
  }

  varint(value: number | bigint): void {
    if (typeof value === 'number' && value < 0x80000000) {
      let n = value;
      while (n >= 0x80) {
        this.byte((n & 0x7f) | 0x80);
        n >>>= 7;
      }
      this.byte(n);
      return;
    }
    let n = BigInt(value);
    while (n >= 0x80n) {
      this.byte(Number(n & 0x7fn) | 0x80);
      n >>= 7n;
    }
    this.byte(Number(n));
  }

  result(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

function isPlainObject(value: object): value is { readonly [key: string]: Canonical | undefined } {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

// In a /u pattern a surrogate pair is one code point, so only lone halves match.
const LONE_SURROGATE = /\p{Cs}/u;

function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

function encodeInto(writer: Writer, value: Canonical, path: string): void {
  if (value === null) return writer.byte(TAG.null);
  switch (typeof value) {
    case 'boolean':
      return writer.byte(value ? TAG.true : TAG.false);
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalEncodingError(path, `${value} is not a finite number`);
      if (Number.isInteger(value)) {
        if (!Number.isSafeInteger(value)) throw new CanonicalEncodingError(path, `${value} is beyond 2^53; pass a bigint`);
        if (value >= 0) {
          writer.byte(TAG.uint);
          return writer.varint(value);
        }
        writer.byte(TAG.nint);
        return writer.varint(-value - 1);
      }
      writer.byte(TAG.float);
      {
        const f = new Uint8Array(8);
        new DataView(f.buffer).setFloat64(0, value, false);
        writer.bytes(f);
      }
      return;
    case 'bigint':
      if (value >= 0n) {
        writer.byte(TAG.uint);
        return writer.varint(value);
      }
      writer.byte(TAG.nint);
      return writer.varint(-value - 1n);
    case 'string': {
      if (hasLoneSurrogate(value)) throw new CanonicalEncodingError(path, 'text holds a lone UTF-16 surrogate');
      const bytes = utf8.encode(value);
      writer.byte(TAG.text);
      writer.varint(bytes.length);
      return writer.bytes(bytes);
    }
    case 'object':
      break;
    default:
      throw new CanonicalEncodingError(path, `a ${typeof value} has no canonical form`);
  }
  if (value instanceof Uint8Array) {
    writer.byte(TAG.bytes);
    writer.varint(value.length);
    return writer.bytes(value);
  }
  if (Array.isArray(value)) {
    const list = value as readonly Canonical[];
    writer.byte(TAG.list);
    writer.varint(list.length);
    list.forEach((item, i) => encodeInto(writer, item, `${path}[${i}]`));
    return;
  }
  if (ArrayBuffer.isView(value)) throw new CanonicalEncodingError(path, 'only Uint8Array byte strings are allowed');
  if (!isPlainObject(value)) throw new CanonicalEncodingError(path, 'only plain objects are maps');
  const entries = Object.keys(value)
    .filter((key) => value[key] !== undefined)
    .map((key) => ({ key, bytes: utf8.encode(key) }));
  entries.sort((a, b) => compareBytes(a.bytes, b.bytes));
  writer.byte(TAG.map);
  writer.varint(entries.length);
  for (const { key, bytes } of entries) {
    if (hasLoneSurrogate(key)) throw new CanonicalEncodingError(`${path}.${key}`, 'key holds a lone UTF-16 surrogate');
    writer.byte(TAG.text);
    writer.varint(bytes.length);
    writer.bytes(bytes);
    encodeInto(writer, value[key] as Canonical, path ? `${path}.${key}` : key);
  }
}

/** The canonical bytes of a value. Throws CanonicalEncodingError naming the offending path. */
export function encodeCanonical(value: Canonical): Uint8Array {
  const writer = new Writer();
  encodeInto(writer, value, '');
  return writer.result();
}

class Reader {
  offset = 0;
  constructor(private readonly bytes: Uint8Array) {}

  fail(reason: string): never {
    throw new CanonicalDecodingError(this.offset, reason);
  }

  byte(): number {
    const b = this.bytes[this.offset];
    if (b === undefined) this.fail('unexpected end');
    this.offset += 1;
    return b;
  }

  take(length: number): Uint8Array {
    if (this.offset + length > this.bytes.length) this.fail('unexpected end');
    const out = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; ; i++) {
      const b = this.byte();
      if (i > 0 && b === 0) this.fail('varint is not minimal');
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (i >= 36) this.fail('varint longer than 256 bits');
    }
  }

  length(): number {
    const n = this.varint();
    if (n > BigInt(this.bytes.length - this.offset)) this.fail('length runs past the end');
    return Number(n);
  }

  end(): boolean {
    return this.offset === this.bytes.length;
  }
}

function integer(n: bigint): number | bigint {
  return n <= BigInt(Number.MAX_SAFE_INTEGER) && n >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(n) : n;
}

function decodeFrom(reader: Reader): Canonical {
  const tag = reader.byte();
  switch (tag) {
    case TAG.null:
      return null;
    case TAG.false:
      return false;
    case TAG.true:
      return true;
    case TAG.uint:
      return integer(reader.varint());
    case TAG.nint:
      return integer(-reader.varint() - 1n);
    case TAG.float: {
      const f = reader.take(8);
      const value = new DataView(f.buffer, f.byteOffset, 8).getFloat64(0, false);
      if (!Number.isFinite(value) || Number.isInteger(value)) reader.fail('float must be finite and not an integer');
      return value;
    }
    case TAG.bytes:
      return new Uint8Array(reader.take(reader.length()));
    case TAG.text:
      return text(reader);
    case TAG.list: {
      const count = reader.length();
      const list: Canonical[] = [];
      for (let i = 0; i < count; i++) list.push(decodeFrom(reader));
      return list;
    }
    case TAG.map: {
      const count = reader.length();
      const map: Record<string, Canonical> = Object.create(null) as Record<string, Canonical>;
      let previous: Uint8Array | undefined;
      for (let i = 0; i < count; i++) {
        if (reader.byte() !== TAG.text) reader.fail('map key is not text');
        const keyBytes = reader.take(reader.length());
        if (previous && compareBytes(previous, keyBytes) >= 0) reader.fail('map keys are not strictly ascending');
        previous = keyBytes;
        const key = decodeText(reader, keyBytes);
        map[key] = decodeFrom(reader);
      }
      return map;
    }
    default:
      return reader.fail(`unknown tag 0x${tag.toString(16)}`);
  }
}

function decodeText(reader: Reader, bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return reader.fail('text is not valid UTF-8');
  }
}

function text(reader: Reader): string {
  return decodeText(reader, reader.take(reader.length()));
}

/** Decodes canonical bytes; refuses any byte string encodeCanonical would not produce. */
export function decodeCanonical(bytes: Uint8Array): Canonical {
  const reader = new Reader(bytes);
  const value = decodeFrom(reader);
  if (!reader.end()) reader.fail('trailing bytes');
  return value;
}
