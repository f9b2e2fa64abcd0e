/**
 * The event codec: payloads as validated JSON (bytes as hex), subjects
 * namespaced by an optional prefix, headers checked for the wire.
 */
import { InvalidNameError, MalformedEventError, UnknownSubjectError } from './errors';
import { FieldError } from './schema';
import { isSubject, PAYLOAD_CODECS, type PayloadOf, type Subject } from './subjects';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Validates `payload` against `subject`'s schema and encodes it. Throws MalformedEventError or UnknownSubjectError. */
export function encodePayload<S extends Subject>(subject: S, payload: PayloadOf<S>): Uint8Array {
  const codec = codecOf(subject);
  try {
    return encoder.encode(JSON.stringify(codec.encode(payload, '')));
  } catch (error) {
    throw asMalformed(subject, error);
  }
}

/** Decodes and validates a payload stored under `subject`. Throws MalformedEventError. */
export function decodePayload<S extends Subject>(subject: S, data: Uint8Array): PayloadOf<S> {
  const codec = codecOf(subject);
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(data));
  } catch {
    throw new MalformedEventError(subject, '(payload)', 'is not UTF-8 JSON');
  }
  try {
    return codec.decode(json, '') as PayloadOf<S>;
  } catch (error) {
    throw asMalformed(subject, error);
  }
}

function codecOf(subject: string) {
  if (!isSubject(subject)) throw new UnknownSubjectError(subject);
  return PAYLOAD_CODECS[subject];
}

function asMalformed(subject: string, error: unknown): Error {
  if (error instanceof FieldError) return new MalformedEventError(subject, error.field, error.reason);
  return error instanceof Error ? error : new Error(String(error));
}

const TOKEN = /^[A-Za-z0-9_-]+$/;

/** Checks a subject prefix: dot-separated tokens of letters, digits, `_` and `-`, or empty for none. */
export function checkPrefix(prefix: string): string {
  if (prefix === '') return prefix;
  if (prefix.length > 200) throw new InvalidNameError('prefix', prefix, 'must be at most 200 characters');
  for (const token of prefix.split('.')) {
    if (!TOKEN.test(token)) throw new InvalidNameError('prefix', prefix, 'tokens must be letters, digits, _ or -');
  }
  if (prefix.split('.').includes('learnchain')) throw new InvalidNameError('prefix', prefix, 'must not contain the token learnchain');
  return prefix;
}

/** Checks a stream or consumer name: letters, digits, `_` and `-`, at most 200 characters. */
export function checkName(kind: 'stream' | 'consumer', name: string): string {
  if (!TOKEN.test(name)) throw new InvalidNameError(kind, name, 'must be letters, digits, _ or -');
  if (name.length > 200) throw new InvalidNameError(kind, name, 'must be at most 200 characters');
  return name;
}

/** The transport subject of `subject` under `prefix`. */
export function qualify(prefix: string, subject: string): string {
  return prefix === '' ? subject : `${prefix}.${subject}`;
}

/** The wildcard that covers every event subject under `prefix`. */
export function allSubjects(prefix: string): string {
  return qualify(prefix, 'learnchain.>');
}

/** The event subject of a transport subject under `prefix`, or undefined when it is outside the prefix. */
export function unqualify(prefix: string, transportSubject: string): string | undefined {
  if (prefix === '') return transportSubject;
  return transportSubject.startsWith(`${prefix}.`) ? transportSubject.slice(prefix.length + 1) : undefined;
}

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const RESERVED_HEADER = /^nats-/i;

/** Checks event headers: token names (not the transport's `Nats-*`), values without line breaks. */
export function checkHeaders(headers: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) throw new InvalidNameError('header', name, 'must be an HTTP token');
    if (RESERVED_HEADER.test(name)) throw new InvalidNameError('header', name, 'Nats-* headers belong to the transport');
    if (typeof value !== 'string' || /[\r\n]/.test(value)) {
      throw new InvalidNameError('header', name, 'value must be a string without line breaks');
    }
  }
  return headers;
}

/** Whether a transport header belongs to the transport rather than to the event. */
export function isTransportHeader(name: string): boolean {
  return RESERVED_HEADER.test(name);
}
