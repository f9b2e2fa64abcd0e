import { createHash } from 'node:crypto';

import { toHex } from './bytes';

/** A SHA-256 content id, as 64 lower-case hex characters. */
export type ContentId = string & { readonly __brand: 'ContentId' };

export const HASH_BYTES = 32;

/** SHA-256 of one or more byte strings, concatenated. */
export function sha256(...parts: readonly Uint8Array[]): Uint8Array {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
}

/** The content id of some bytes: how models, updates and blocks are named. */
export function contentId(bytes: Uint8Array): ContentId {
  return toHex(sha256(bytes)) as ContentId;
}

export function isContentId(value: string): value is ContentId {
  return /^[0-9a-f]{64}$/.test(value);
}

/** Hashes a stream of chunks incrementally, for blobs too large to hold twice. */
export class ContentHasher {
  private readonly hash = createHash('sha256');
  private size = 0;

  update(chunk: Uint8Array): this {
    this.hash.update(chunk);
    this.size += chunk.byteLength;
    return this;
  }

  get bytesSeen(): number {
    return this.size;
  }

  digest(): Uint8Array {
    return new Uint8Array(this.hash.digest());
  }
}
