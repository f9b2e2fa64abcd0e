/**
 * The message format between SignatureThreads and its workers (internal to
 * this package).
 */
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES } from './identity';

/** Key and signature, before each message in a packed task. */
const HEAD = PUBLIC_KEY_BYTES + SIGNATURE_BYTES;

/** A signature to check: `signature` by `publicKey` over `message`. */
export interface SignedBytes {
  readonly publicKey: Uint8Array;
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
}

/** Whether a key and signature have the lengths of ed25519's (what does not, never verifies). */
export function wellFormed(s: SignedBytes): boolean {
  return s.publicKey.byteLength === PUBLIC_KEY_BYTES && s.signature.byteLength === SIGNATURE_BYTES;
}

/**
 * What a worker is sent: the signatures packed in one buffer, each as its key,
 * signature and message, `ends[i]` the end of the i-th. (The
 * items' own arrays are often views into a whole received gRPC message, which
 * a worker message would copy whole.)
 */
export interface SignatureTask {
  readonly id: number;
  readonly packed: Uint8Array;
  readonly ends: Uint32Array;
}
export interface SignatureReply {
  readonly id: number;
  /** 1 where the signature verifies, 0 where it does not. */
  readonly ok: Uint8Array;
}

/** Packs the signatures of a task (see SignatureTask). */
export function packTask(id: number, items: readonly SignedBytes[]): SignatureTask {
  const ends = new Uint32Array(items.length);
  let size = 0;
  items.forEach((s, i) => {
    size += HEAD + s.message.byteLength;
    ends[i] = size;
  });
  const packed = new Uint8Array(size);
  let at = 0;
  for (const s of items) {
    // A key or signature of the wrong length cannot verify: packed as zeros, its verdict forced to false.
    if (wellFormed(s)) {
      packed.set(s.publicKey, at);
      packed.set(s.signature, at + PUBLIC_KEY_BYTES);
    }
    packed.set(s.message, at + HEAD);
    at += HEAD + s.message.byteLength;
  }
  return { id, packed, ends };
}

/** The signatures of a packed task, as views. */
export function unpackTask(task: SignatureTask): SignedBytes[] {
  const out: SignedBytes[] = [];
  let start = 0;
  for (const end of task.ends) {
    out.push({ publicKey: task.packed.subarray(start, start + PUBLIC_KEY_BYTES), signature: task.packed.subarray(start + PUBLIC_KEY_BYTES, start + HEAD), message: task.packed.subarray(start + HEAD, end) });
    start = end;
  }
  return out;
}

