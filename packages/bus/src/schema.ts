/**
 * Field codecs: the validating JSON encoding of event payloads. Every codec
 * checks its input on the way out (publish) and on the way in (decode), so a
 * malformed payload is stopped at both ends. Bytes travel as lowercase hex.
 */

/** A JSON value as it goes on the wire. */
export type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };

/** Raised inside codecs; the payload codec turns it into a MalformedEventError naming the subject. */
export class FieldError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field} ${reason}`);
  }
}

/** Encodes and decodes one value, validating it both ways. `at` is the field path used in errors. */
export interface FieldCodec<T> {
  readonly optional: boolean;
  encode(value: unknown, at: string): Json;
  decode(json: unknown, at: string): T;
}

/** A codec for a field that may be absent. */
export type OptionalCodec<T> = FieldCodec<T> & { readonly optional: true };
/** A codec for a field that must be present. */
export type RequiredCodec<T> = FieldCodec<T> & { readonly optional: false };

/** The codecs of an object type: one per key, optional keys with optional codecs. */
export type FieldsOf<T> = {
  readonly [K in keyof T]-?: object extends Pick<T, K> ? OptionalCodec<Exclude<T[K], undefined>> : RequiredCodec<T[K]>;
};

function required<T>(encode: (value: unknown, at: string) => Json, decode: (json: unknown, at: string) => T): RequiredCodec<T> {
  return { optional: false, encode, decode };
}

const MAX_TEXT = 1024;

/** A non-empty string of at most `max` characters (ids, reasons, rule names). */
export function text(max: number = MAX_TEXT): RequiredCodec<string> {
  const check = (value: unknown, at: string): string => {
    if (typeof value !== 'string') throw new FieldError(at, `must be a string, got ${kindOf(value)}`);
    if (value.length === 0) throw new FieldError(at, 'must not be empty');
    if (value.length > max) throw new FieldError(at, `must be at most ${max} characters, got ${value.length}`);
    return value;
  };
  return required(check, check);
}

/** A non-negative safe integer, at least `min` (heights, rounds, epochs, times in ms). */
export function uint(min = 0): RequiredCodec<number> {
  const check = (value: unknown, at: string): number => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      throw new FieldError(at, `must be a safe integer, got ${kindOf(value)}`);
    }
    if (value < min) throw new FieldError(at, `must be at least ${min}, got ${value}`);
    return value;
  };
  return required(check, check);
}

/** A boolean. */
export function bool(): RequiredCodec<boolean> {
  const check = (value: unknown, at: string): boolean => {
    if (typeof value !== 'boolean') throw new FieldError(at, `must be a boolean, got ${kindOf(value)}`);
    return value;
  };
  return required(check, check);
}

/** One of a fixed set of strings. */
export function oneOf<const V extends string>(values: readonly V[]): RequiredCodec<V> {
  const allowed: ReadonlySet<string> = new Set(values);
  const check = (value: unknown, at: string): V => {
    if (typeof value !== 'string' || !allowed.has(value)) {
      throw new FieldError(at, `must be one of ${values.join(', ')}, got ${kindOf(value)}`);
    }
    return value as V;
  };
  return required(check, check);
}

const HEX = /^(?:[0-9a-f]{2})*$/;

/** Bytes of an exact `length` (when given), hex on the wire. */
export function bytes(length?: number): RequiredCodec<Uint8Array> {
  const checkLength = (n: number, at: string): void => {
    if (length !== undefined && n !== length) throw new FieldError(at, `must be ${length} bytes, got ${n}`);
  };
  return required(
    (value, at) => {
      if (!(value instanceof Uint8Array)) throw new FieldError(at, `must be a Uint8Array, got ${kindOf(value)}`);
      checkLength(value.length, at);
      return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
    },
    (json, at) => {
      if (typeof json !== 'string' || !HEX.test(json)) {
        throw new FieldError(at, `must be lowercase hex of whole bytes, got ${kindOf(json)}`);
      }
      checkLength(json.length / 2, at);
      return new Uint8Array(Buffer.from(json, 'hex'));
    },
  );
}

/** A list of at most `max` items, each checked by `item`. */
export function list<T>(item: FieldCodec<T>, max = 10_000): RequiredCodec<T[]> {
  const items = (value: unknown, at: string): readonly unknown[] => {
    if (!Array.isArray(value)) throw new FieldError(at, `must be a list, got ${kindOf(value)}`);
    if (value.length > max) throw new FieldError(at, `must have at most ${max} items, got ${value.length}`);
    return value;
  };
  return required(
    (value, at) => items(value, at).map((v, i) => item.encode(v, `${at}[${i}]`)),
    (json, at) => items(json, at).map((v, i) => item.decode(v, `${at}[${i}]`)),
  );
}

/** Marks a field as optional: absent (or undefined) is allowed, anything else is checked. */
export function optional<T>(codec: RequiredCodec<T>): OptionalCodec<T> {
  return { optional: true, encode: codec.encode, decode: codec.decode };
}

/**
 * An object with exactly the keys of `T`. Unknown keys are dropped on encode
 * and ignored on decode, so a newer publisher may add fields.
 */
export function record<T>(fields: FieldsOf<T>): RequiredCodec<T> {
  const entries = Object.entries(fields) as [string, FieldCodec<unknown>][];
  const walk = (value: unknown, at: string, step: (codec: FieldCodec<unknown>, v: unknown, path: string) => unknown) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new FieldError(at || '(payload)', `must be an object, got ${kindOf(value)}`);
    }
    const source = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [key, codec] of entries) {
      const path = at ? `${at}.${key}` : key;
      const v = Object.prototype.hasOwnProperty.call(source, key) ? source[key] : undefined;
      if (v === undefined) {
        if (codec.optional) continue;
        throw new FieldError(path, 'is required');
      }
      out[key] = step(codec, v, path);
    }
    return out;
  };
  return required(
    (value, at) => walk(value, at, (codec, v, path) => codec.encode(v, path)) as Json,
    (json, at) => walk(json, at, (codec, v, path) => codec.decode(v, path)) as T,
  );
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (typeof value === 'string') return value.length > 40 ? `a ${value.length}-character string` : JSON.stringify(value);
  if (typeof value === 'number') return String(value);
  return typeof value;
}
