/**
 * The content-addressed blob store: a blob's id is the SHA-256 (hex) of all
 * its bytes; the bytes live in fixed-size chunk rows so that neither a write
 * nor a read needs one huge row. A blob's `blobs` row is written in the same
 * transaction as its chunks, after them: a blob that is listed is complete.
 */
import { contentId, type ContentId } from '@learnchain/core';
import type { Kysely, Transaction } from '@learnchain/storage';

import { BlobHashMismatchError, BlobNotFoundError } from '../errors';
import type { AggregatorDb, BlobKindName } from './schema';

type Db = Kysely<AggregatorDb> | Transaction<AggregatorDb>;

export interface BlobInfo {
  readonly hash: string;
  readonly size: number;
  readonly kind: BlobKindName;
  readonly chunks: number;
}

export class BlobStore {
  constructor(
    private readonly db: Kysely<AggregatorDb>,
    /** Bytes per stored chunk row. */
    readonly chunkBytes: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Stores `bytes` under their content id (verified against `expected` when given); a blob already held is left as is. */
  async put(bytes: Uint8Array, kind: BlobKindName, expected?: string): Promise<ContentId> {
    const hash = contentId(bytes);
    if (expected !== undefined && expected !== hash) throw new BlobHashMismatchError(expected, hash);
    await this.db.transaction().execute((trx) => this.putIn(trx, hash, bytes, kind));
    return hash;
  }

  /** Writes a blob inside the caller's transaction; the caller has verified `hash`. Returns false when already held. */
  async putIn(trx: Db, hash: string, bytes: Uint8Array, kind: BlobKindName): Promise<boolean> {
    const held = await trx.selectFrom('blobs').select('hash').where('hash', '=', hash).executeTakeFirst();
    if (held) return false;
    const chunks = Math.max(1, Math.ceil(bytes.byteLength / this.chunkBytes));
    for (let seq = 0; seq < chunks; seq++) {
      const data = bytes.subarray(seq * this.chunkBytes, Math.min(bytes.byteLength, (seq + 1) * this.chunkBytes));
      await trx.insertInto('blob_chunks').values({ hash, seq, data: Buffer.from(data.buffer, data.byteOffset, data.byteLength) }).onConflict((c) => c.doNothing()).execute();
    }
    await trx
      .insertInto('blobs')
      .values({ hash, size: bytes.byteLength, kind, chunks, created_at_ms: this.clock() })
      .onConflict((c) => c.doNothing())
      .execute();
    return true;
  }

  async stat(hash: string): Promise<BlobInfo | undefined> {
    const row = await this.db.selectFrom('blobs').selectAll().where('hash', '=', hash).executeTakeFirst();
    return row ? { hash: row.hash, size: Number(row.size), kind: row.kind, chunks: row.chunks } : undefined;
  }

  /** The stored chunks of a blob, one row at a time. */
  async *chunks(info: BlobInfo): AsyncGenerator<Uint8Array> {
    for (let seq = 0; seq < info.chunks; seq++) {
      const row = await this.db.selectFrom('blob_chunks').select('data').where('hash', '=', info.hash).where('seq', '=', seq).executeTakeFirst();
      if (!row) throw new BlobNotFoundError(`${info.hash} chunk ${seq}`);
      yield new Uint8Array(row.data);
    }
  }

  /** A whole blob, its hash verified; throws BlobNotFoundError or BlobHashMismatchError. */
  async read(hash: string): Promise<Uint8Array> {
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
    return out;
  }
}
