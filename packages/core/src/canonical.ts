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
  private buffer: Uint8Array;
  private length = 0;

  constructor(buffer: Uint8Array) {
    this.buffer = buffer;
  }

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

  /** Text of UTF-16 units below 0x80, written as its bytes; false (nothing written) when it holds any other. */
  ascii(text: string): boolean {
    const n = text.length;
    if (n >= 0x80) return false;
    this.reserve(n + 2);
    const start = this.length;
    this.buffer[start] = TAG.text;
    this.buffer[start + 1] = n;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) return false;
      this.buffer[start + 2 + i] = c;
    }
    this.length = start + 2 + n;
    return true;
  }

  /** The bytes written (a copy: the buffer is reused). */
  result(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  /** The buffer, for the next encoding to reuse. */
  get scratch(): Uint8Array {
    return this.buffer;
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

/** A map key as encoded (tag, length, UTF-8), with its UTF-8 bytes for ordering. */
interface EncodedKey {
  readonly text: string;
  readonly utf8: Uint8Array;
  readonly encoded: Uint8Array;
  readonly ascii: boolean;
}

// Keys come from a small vocabulary (field names): each is encoded once.
const keyCache = new Map<string, EncodedKey>();
const KEY_CACHE_SIZE = 4096;
const KEY_CACHE_LENGTH = 64;

function encodedKey(text: string): EncodedKey {
  const known = keyCache.get(text);
  if (known) return known;
  if (hasLoneSurrogate(text)) throw new Unencodable('key holds a lone UTF-16 surrogate', [text]);
  const bytes = utf8.encode(text);
  const writer = new Writer(new Uint8Array(bytes.length + 6));
  writer.byte(TAG.text);
  writer.varint(bytes.length);
  writer.bytes(bytes);
  const key = { text, utf8: bytes, encoded: writer.result(), ascii: bytes.length === text.length };
  if (text.length <= KEY_CACHE_LENGTH) {
    if (keyCache.size >= KEY_CACHE_SIZE) keyCache.clear();
    keyCache.set(text, key);
  }
  return key;
}

const byUtf8 = (a: EncodedKey, b: EncodedKey): number => compareBytes(a.utf8, b.utf8);
const byText = (a: EncodedKey, b: EncodedKey): number => (a.text < b.text ? -1 : 1);

/** Why a value has no canonical form, and where: keys and list indexes from the top (filled in on the way out). */
class Unencodable extends Error {
  constructor(
    readonly reason: string,
    readonly segments: (string | number)[] = [],
  ) {
    super(reason);
  }
}

/** Prefixes the location of an encoding failure below `segment` (paths are built only on failure). */
function under(segment: string | number, error: unknown): unknown {
  if (error instanceof Unencodable) error.segments.unshift(segment);
  return error;
}

function pathOf(segments: readonly (string | number)[]): string {
  return segments.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

function encodeInto(writer: Writer, value: Canonical): void {
  if (value === null) return writer.byte(TAG.null);
  switch (typeof value) {
    case 'boolean':
      return writer.byte(value ? TAG.true : TAG.false);
    case 'number':
      if (!Number.isFinite(value)) throw new Unencodable(`${value} is not a finite number`);
      if (Number.isInteger(value)) {
        if (!Number.isSafeInteger(value)) throw new Unencodable(`${value} is beyond 2^53; pass a bigint`);
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
      if (writer.ascii(value)) return;
      if (hasLoneSurrogate(value)) throw new Unencodable('text holds a lone UTF-16 surrogate');
      const bytes = utf8.encode(value);
      writer.byte(TAG.text);
      writer.varint(bytes.length);
      return writer.bytes(bytes);
    }
    case 'object':
      break;
    default:
      throw new Unencodable(`a ${typeof value} has no canonical form`);
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
    for (let i = 0; i < list.length; i++) {
      try {
        encodeInto(writer, list[i] as Canonical);
      } catch (error) {
        throw under(i, error);
      }
    }
    return;
  }
  if (ArrayBuffer.isView(value)) throw new Unencodable('only Uint8Array byte strings are allowed');
  if (!isPlainObject(value)) throw new Unencodable('only plain objects are maps');
  const keys: EncodedKey[] = [];
  let ascii = true;
  for (const text of Object.keys(value)) {
    if (value[text] === undefined) continue;
    const key = encodedKey(text);
    ascii &&= key.ascii;
    keys.push(key);
  }
  // For ASCII keys, UTF-16 order is UTF-8 byte order.
  keys.sort(ascii ? byText : byUtf8);
  writer.byte(TAG.map);
  writer.varint(keys.length);
  for (const key of keys) {
    writer.bytes(key.encoded);
    try {
      encodeInto(writer, value[key.text] as Canonical);
    } catch (error) {
      throw under(key.text, error);
    }
  }
}

let scratch: Uint8Array = new Uint8Array(1024);

/** The canonical bytes of a value. Throws CanonicalEncodingError naming the offending path. */
export function encodeCanonical(value: Canonical): Uint8Array {
  const writer = new Writer(scratch);
  try {
    encodeInto(writer, value);
  } catch (error) {
    if (error instanceof Unencodable) throw new CanonicalEncodingError(pathOf(error.segments), error.reason);
    throw error;
  } finally {
    if (writer.scratch.length <= 1 << 20) scratch = writer.scratch;
  }
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
