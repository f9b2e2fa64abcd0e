/**
 * Where the bytes of the aggregator's blobs live, under their `blobs` rows:
 * - ChunkRows: in the database, in fixed-size chunk rows (PostgreSQL, and
 *   PGlite on disk), so that neither a write nor a read needs one huge row.
 *   Chunk bytes travel as base64 text, decoded by the database: the embedded
 *   PGlite passes a bytea parameter or result byte by byte in JavaScript, 25
 *   times slower (450 ms for an 800 KB update, against 18 ms), while
 *   PostgreSQL takes either in about the same time.
 * - ProcessMemory: in this process's memory, for a database that itself lives
 *   only in memory (pglite:memory) and so keeps nothing past the process
 *   either. Writing an 800 KB update through the WebAssembly database costs
 *   25-45 ms of the event loop (TOAST, its write-ahead log, growing in-memory
 *   files); keeping it in a map costs a copy.
 * Either way the bytes are written before the row that lists the blob, in
 * the same transaction where they are rows: a listed blob is complete.
 */
import { sql } from '@learnchain/storage';

import { BlobNotFoundError } from '../errors';
import type { Db } from './schema';


export interface BlobBytes {
  /** Writes the bytes of a blob not listed yet, inside the caller's transaction (`hash` verified by the caller). */
  write(trx: Db, hash: string, bytes: Uint8Array, chunkBytes: number): Promise<void>;
  /** The bytes of a listed blob of `chunks` chunks, in order, one chunk at a time. */
  read(db: Db, hash: string, chunks: number, chunkBytes: number): AsyncGenerator<Uint8Array>;
  /** Deletes the bytes of blobs whose rows the caller deletes in the same transaction. */
  delete(trx: Db, hashes: readonly string[]): Promise<void>;
  /** The bytes of a blob this process holds in memory, never altered (a cache may keep them rather than a copy). */
  held?(hash: string): Uint8Array | undefined;
}

/** The number of chunks `size` bytes take (an empty blob is one empty chunk). */
export function chunkCount(size: number, chunkBytes: number): number {
  return Math.max(1, Math.ceil(size / chunkBytes));
}

/** `bytes` in slices of `chunkBytes` (an empty blob is one empty slice). */
export function* slices(bytes: Uint8Array, chunkBytes: number): Generator<Uint8Array> {
  for (let at = 0; at < Math.max(1, bytes.byteLength); at += chunkBytes) yield bytes.subarray(at, at + chunkBytes);
}

/** Bytes in `blob_chunks` rows. */
export const chunkRows: BlobBytes = {
  async write(trx, hash, bytes, chunkBytes) {
    let seq = 0;
    for (const data of slices(bytes, chunkBytes)) {
      const base64 = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
      await trx.insertInto('blob_chunks').values({ hash, seq: seq++, data: sql<Buffer>`decode(${base64}, 'base64')` }).onConflict((c) => c.doNothing()).execute();
    }
  },
  async *read(db, hash, chunks) {
    for (let seq = 0; seq < chunks; seq++) {
      const row = await db.selectFrom('blob_chunks').select(sql<string>`encode(data, 'base64')`.as('base64')).where('hash', '=', hash).where('seq', '=', seq).executeTakeFirst();
      if (!row) throw new BlobNotFoundError(`${hash} chunk ${seq}`);
      yield new Uint8Array(Buffer.from(row.base64, 'base64'));
    }
  },
  async delete(trx, hashes) {
    if (hashes.length > 0) await trx.deleteFrom('blob_chunks').where('hash', 'in', hashes).execute();
  },
};

/**
 * Bytes in a map of this process, for an in-memory database. A write whose
 * transaction then rolls back leaves its bytes here unlisted: the blob is
 * still unknown (stat reads the rows), and writing it again replaces them.
 * A delete whose transaction rolls back leaves a row without bytes: only
 * blobs nothing needs are deleted, and a read of it says it is gone.
 */
export class ProcessMemory implements BlobBytes {
  private readonly kept = new Map<string, Uint8Array>();

  async write(_trx: Db, hash: string, bytes: Uint8Array): Promise<void> {
    // a copy (new Uint8Array copies a Buffer too, where Buffer's slice would only view it)
    this.kept.set(hash, new Uint8Array(bytes));
  }

  async *read(_db: Db, hash: string, _chunks: number, chunkBytes: number): AsyncGenerator<Uint8Array> {
    const bytes = this.kept.get(hash);
    if (!bytes) throw new BlobNotFoundError(`${hash} (not in this process's memory)`);
    yield* slices(bytes, chunkBytes);
  }

  async delete(_trx: Db, hashes: readonly string[]): Promise<void> {
    for (const hash of hashes) this.kept.delete(hash);
  }

  held(hash: string): Uint8Array | undefined {
    return this.kept.get(hash);
  }
}
