/**
 * The most recently used blobs, kept in memory up to a byte budget, least
 * recently used dropped first. Blobs are immutable and named by their content,
 * so a kept copy is never stale; the store adds a blob only once it is durable.
 * The cache keeps its own copy of what it takes (made only when it takes it),
 * so no caller can alter a kept blob.
 */
import type { BlobInfo } from './blobs';

interface Kept {
  readonly info: BlobInfo;
  readonly bytes: Uint8Array;
}

export class BlobCache {
  private readonly kept = new Map<string, Kept>();
  private bytes = 0;

  constructor(readonly capacityBytes: number) {}

  get(hash: string): Kept | undefined {
    const found = this.kept.get(hash);
    if (found) {
      // Map order is insertion order: re-inserting marks it most recently used.
      this.kept.delete(hash);
      this.kept.set(hash, found);
    }
    return found;
  }

  add(info: BlobInfo, bytes: Uint8Array): void {
    if (bytes.byteLength > this.capacityBytes || this.kept.has(info.hash)) return;
    this.kept.set(info.hash, { info, bytes: bytes.slice() });
    this.bytes += bytes.byteLength;
    for (const [hash, oldest] of this.kept) {
      if (this.bytes <= this.capacityBytes) break;
      this.kept.delete(hash);
      this.bytes -= oldest.bytes.byteLength;
    }
  }

  /** Bytes held now. */
  get size(): number {
    return this.bytes;
  }
}
