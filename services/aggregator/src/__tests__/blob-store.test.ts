import { contentId } from '@learnchain/core';
import { migrateToLatest, openStorage, type Storage } from '@learnchain/storage';

import { BlobHashMismatchError, BlobNotFoundError } from '../errors';
import { chunkRows, ProcessMemory, type BlobBytes } from '../store/blob-bytes';
import { BlobStore } from '../store/blobs';
import { migrations, type AggregatorDb } from '../store/schema';

jest.setTimeout(60_000);

const CHUNK = 1024;
const bytesOf = (size: number, seed: number): Uint8Array => Uint8Array.from({ length: size }, (_, i) => (i * 7 + seed) & 0xff);

async function chunkViews(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const c of chunks) out.push(c);
  return out;
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<number[][]> {
  return (await chunkViews(chunks)).map((c) => Array.from(c));
}

// The same promises whichever place holds the bytes; the cache is off so that every read reaches them.
describe.each<[string, () => BlobBytes, number]>([
  ['chunk rows', () => chunkRows, 3],
  ['process memory', () => new ProcessMemory(), 0],
])('blob store with bytes in %s', (_name, bytesStore, rowsPerBlob) => {
  let storage: Storage<AggregatorDb>;
  let blobs: BlobStore;

  beforeAll(async () => {
    storage = await openStorage<AggregatorDb>({ url: 'pglite:memory', schema: 'blobs' });
    await migrateToLatest(storage, migrations);
  });
  beforeEach(() => {
    blobs = new BlobStore(storage.db, CHUNK, () => 1_000, 0, bytesStore());
  });
  afterAll(async () => {
    await storage.close();
  });

  it('stores a blob under its content id and reads it back whole and in chunks', async () => {
    const data = bytesOf(2 * CHUNK + 100, 1);
    const hash = await blobs.put(data, 'update');
    expect(hash).toBe(contentId(data));
    const info = await blobs.stat(hash);
    expect(info).toEqual({ hash, size: data.byteLength, kind: 'update', chunks: 3 });
    expect(Array.from(await blobs.read(hash))).toEqual(Array.from(data));
    const chunks = await collect(blobs.chunks(info!));
    expect(chunks.map((c) => c.length)).toEqual([CHUNK, CHUNK, 100]);
    expect(chunks.flat()).toEqual(Array.from(data));
    const rows = await storage.db.selectFrom('blob_chunks').select('seq').where('hash', '=', hash).execute();
    expect(rows).toHaveLength(rowsPerBlob);
  });

  it('stores an empty blob as one empty chunk', async () => {
    const hash = await blobs.put(new Uint8Array(0), 'parameters');
    expect(await blobs.stat(hash)).toMatchObject({ size: 0, chunks: 1 });
    expect(await collect(blobs.chunks((await blobs.stat(hash))!))).toEqual([[]]);
    expect(await blobs.read(hash)).toHaveLength(0);
  });

  it('keeps the first copy of a blob stored twice, and keeps what it was given safe from the caller', async () => {
    const data = bytesOf(300, 2);
    const hash = await blobs.put(data, 'update');
    data[0] = (data[0]! + 1) & 0xff;
    expect(await storage.db.transaction().execute((trx) => blobs.putIn(trx, hash, bytesOf(300, 2), 'update'))).toBe(false);
    expect(Array.from(await blobs.read(hash))).toEqual(Array.from(bytesOf(300, 2)));
  });

  it('keeps its own copy of bytes given as a Buffer, and hands out copies', async () => {
    const given = Buffer.from(bytesOf(500, 8));
    const hash = await blobs.put(given, 'update');
    given[0] = (given[0]! + 1) & 0xff;
    const read = await blobs.read(hash);
    expect(Array.from(read)).toEqual(Array.from(bytesOf(500, 8)));
    read[1] = (read[1]! + 1) & 0xff;
    expect(Array.from(await blobs.read(hash))).toEqual(Array.from(bytesOf(500, 8)));
  });

  it('lists nothing whose transaction rolled back; storing it again then works', async () => {
    const data = bytesOf(1500, 3);
    const hash = contentId(data);
    await expect(
      storage.db.transaction().execute(async (trx) => {
        await blobs.putIn(trx, hash, data, 'update');
        throw new Error('the update record failed');
      }),
    ).rejects.toThrow('the update record failed');
    expect(await blobs.stat(hash)).toBeUndefined();
    await expect(blobs.read(hash)).rejects.toBeInstanceOf(BlobNotFoundError);
    await blobs.put(data, 'update');
    expect(Array.from(await blobs.read(hash))).toEqual(Array.from(data));
  });

  it('refuses bytes that do not hash to the name they were sent under, and names unknown blobs', async () => {
    await expect(blobs.put(bytesOf(10, 4), 'update', contentId(bytesOf(10, 5)))).rejects.toBeInstanceOf(BlobHashMismatchError);
    expect(await blobs.stat(contentId(bytesOf(10, 4)))).toBeUndefined();
    await expect(blobs.read(contentId(bytesOf(11, 6)))).rejects.toBeInstanceOf(BlobNotFoundError);
  });
});

describe('a cached blob store with bytes in process memory', () => {
  it('caches the bytes it holds rather than a second copy, and still hands out copies', async () => {
    const storage = await openStorage<AggregatorDb>({ url: 'pglite:memory', schema: 'blobs_shared' });
    try {
      await migrateToLatest(storage, migrations);
      const memory = new ProcessMemory();
      const blobs = new BlobStore(storage.db, CHUNK, () => 1_000, 1 << 20, memory);
      const data = bytesOf(3 * CHUNK, 9);
      const hash = await blobs.put(data, 'update');
      const [first] = await chunkViews(blobs.chunks((await blobs.stat(hash))!));
      // The cache serves views of the very bytes process memory holds.
      expect(first?.buffer).toBe(memory.held(hash)?.buffer);
      const read = await blobs.read(hash);
      read[0] = (read[0]! + 1) & 0xff;
      expect(Array.from(await blobs.read(hash))).toEqual(Array.from(data));
    } finally {
      await storage.close();
    }
  });
});
