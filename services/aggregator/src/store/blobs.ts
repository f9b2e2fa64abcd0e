/**
 * The content-addressed blob store: a blob's id is the SHA-256 (hex) of all
 * its bytes; a `blobs` row lists it, and its bytes live in chunk rows or, for
 * an in-memory database, in this process's memory (blob-bytes.ts). The row is
 * written in the same transaction as the bytes, after them: a blob that is
 * listed is complete. Blobs recently stored or read are also kept in memory
 * (BlobCache): a round's base model and updates are read by the aggregator and
 * fetched by every trainer and validator, and each of those would otherwise be
 * a database read.
 */
import { contentId, type ContentId } from '@learnchain/core';
import { sql, type Kysely } from '@learnchain/storage';

import { BlobHashMismatchError, BlobNotFoundError } from '../errors';
import { chunkCount, chunkRows, slices, type BlobBytes } from './blob-bytes';
import { BlobCache } from './blob-cache';
import type { AggregatorDb, BlobKindName, Db } from './schema';

export interface BlobInfo {
  readonly hash: string;
  readonly size: number;
  readonly kind: BlobKindName;
  readonly chunks: number;
}

export class BlobStore {
  private readonly cache: BlobCache;

  constructor(
    private readonly db: Kysely<AggregatorDb>,
    /** Bytes per stored chunk row. */
    readonly chunkBytes: number,
    private readonly clock: () => number = Date.now,
    /** Bytes of recently used blobs kept in memory (0: none). */
    cacheBytes = 0,
    /** Where the bytes live (default: chunk rows in the database). */
    private readonly bytes: BlobBytes = chunkRows,
  ) {
    this.cache = new BlobCache(cacheBytes);
  }

  /** Stores `bytes` under their content id (verified against `expected` when given); a blob already held is left as is. */
  async put(bytes: Uint8Array, kind: BlobKindName, expected?: string): Promise<ContentId> {
    const hash = contentId(bytes);
    if (expected !== undefined && expected !== hash) throw new BlobHashMismatchError(expected, hash);
    await this.db.transaction().execute((trx) => this.putIn(trx, hash, bytes, kind));
    this.remember(hash, bytes, kind);
    return hash;
  }

  /** Keeps a blob whose transaction (see putIn) has committed in memory; the caller has verified `hash`. */
  remember(hash: string, bytes: Uint8Array, kind: BlobKindName): void {
    this.keep({ hash, size: bytes.byteLength, kind, chunks: chunkCount(bytes.byteLength, this.chunkBytes) }, bytes);
  }

  /** Caches a blob: the bytes held in this process's memory where they live there (no second copy), else a copy of `bytes`. */
  private keep(info: BlobInfo, bytes: Uint8Array): void {
    const held = this.bytes.held?.(info.hash);
    this.cache.add(info, held ?? bytes, held !== undefined);
  }

  /** Writes a blob inside the caller's transaction; the caller has verified `hash`. Returns false when already held. */
  async putIn(trx: Db, hash: string, bytes: Uint8Array, kind: BlobKindName): Promise<boolean> {
    // A blob found here is locked, so it is not deleted (store/retention.ts) before this transaction ends,
    // and stored again as of now: a model nothing names is kept a while from its last upload, not its first.
    const held = await trx
      .updateTable('blobs')
      .set({ created_at_ms: sql<number>`greatest(created_at_ms, ${this.clock()})` })
      .where('hash', '=', hash)
      .returning('hash')
      .executeTakeFirst();
    if (held) return false;
    const chunks = chunkCount(bytes.byteLength, this.chunkBytes);
    await this.bytes.write(trx, hash, bytes, this.chunkBytes);
    await trx
      .insertInto('blobs')
      .values({ hash, size: bytes.byteLength, kind, chunks, created_at_ms: this.clock() })
      .onConflict((c) => c.doNothing())
      .execute();
    return true;
  }

  /** Deletes blobs inside the caller's transaction (nothing may need them); `forget` them once it has committed. */
  async deleteIn(trx: Db, hashes: readonly string[]): Promise<void> {
    if (hashes.length === 0) return;
    await this.bytes.delete(trx, hashes);
    await trx.deleteFrom('blobs').where('hash', 'in', hashes).execute();
  }

  /** Drops deleted blobs from memory. */
  forget(hashes: readonly string[]): void {
    for (const hash of hashes) this.cache.delete(hash);
  }

  async stat(hash: string): Promise<BlobInfo | undefined> {
    const kept = this.cache.get(hash);
    if (kept) return kept.info;
    const row = await this.db.selectFrom('blobs').selectAll().where('hash', '=', hash).executeTakeFirst();
    return row ? { hash: row.hash, size: Number(row.size), kind: row.kind, chunks: row.chunks } : undefined;
  }

  /** The stored chunks of a blob, one at a time (or from the cache). */
  async *chunks(info: BlobInfo): AsyncGenerator<Uint8Array> {
    const kept = this.cache.get(info.hash);
    if (kept) yield* slices(kept.bytes, this.chunkBytes);
    else yield* this.bytes.read(this.db, info.hash, info.chunks, this.chunkBytes);
  }

  /** A whole blob (a copy the caller owns), its hash verified; throws BlobNotFoundError or BlobHashMismatchError. */
  async read(hash: string): Promise<Uint8Array> {
    const kept = this.cache.get(hash);
    if (kept) return kept.bytes.slice();
    const info = await this.stat(hash);
    if (!info) throw new BlobNotFoundError(hash);
    const out = new Uint8Array(info.size);
    let at = 0;
    for await (const chunk of this.chunks(info)) {
      out.set(chunk, at);
      at += chunk.byteLength;
    }
    const actual = contentId(out);
    if (actual !== hash) throw new BlobHashMismatchError(hash, actual);
    this.keep(info, out);
    return out;
  }
}
