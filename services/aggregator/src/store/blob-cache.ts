/**
 * The most recently used blobs, kept in memory up to a byte budget, least
 * recently used dropped first. Blobs are immutable and named by their content,
 * so a kept copy is never stale; the store adds a blob only once it is durable.
 * The cache keeps its own copy of what it takes (made only when it takes it),
 * so no caller can alter a kept blob.
 */
import { SizedLru } from '@learnchain/core';

import type { BlobInfo } from './blobs';

interface Kept {
  readonly info: BlobInfo;
  readonly bytes: Uint8Array;
}

export class BlobCache {
  private readonly kept: SizedLru<Kept>;

  constructor(readonly capacityBytes: number) {
    this.kept = new SizedLru(capacityBytes);
  }

  get(hash: string): Kept | undefined {
    return this.kept.get(hash);
  }

  /** Keeps a copy of `bytes`, or `bytes` themselves when `shared` (bytes nobody alters). */
  add(info: BlobInfo, bytes: Uint8Array, shared = false): void {
    if (this.kept.accepts(info.hash, bytes.byteLength)) this.kept.set(info.hash, { info, bytes: shared ? bytes : new Uint8Array(bytes) }, bytes.byteLength);
  }

  delete(hash: string): void {
    this.kept.delete(hash);
  }

  /** Bytes held now. */
  get size(): number {
    return this.kept.size;
  }
}
