import { BlobCache } from '../store/blob-cache';

const info = (hash: string, size: number) => ({ hash, size, kind: 'update' as const, chunks: 1 });

describe('blob cache', () => {
  it('keeps blobs up to its byte budget, dropping the least recently used first', () => {
    const cache = new BlobCache(10);
    cache.add(info('a', 4), new Uint8Array(4));
    cache.add(info('b', 4), new Uint8Array(4));
    expect(cache.get('a')?.info.hash).toBe('a'); // now b is the least recently used
    cache.add(info('c', 4), new Uint8Array(4));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.info.size).toBe(4);
    expect(cache.get('c')?.info.size).toBe(4);
    expect(cache.size).toBe(8);
  });

  it('never holds a blob larger than its budget, nor the same blob twice', () => {
    const cache = new BlobCache(10);
    cache.add(info('big', 11), new Uint8Array(11));
    expect(cache.get('big')).toBeUndefined();
    cache.add(info('a', 6), new Uint8Array(6));
    cache.add(info('a', 6), new Uint8Array(6));
    expect(cache.size).toBe(6);
    expect(new BlobCache(0).size).toBe(0);
  });

  it('keeps a copy of its own: changing the bytes it was given changes nothing kept', () => {
    const cache = new BlobCache(10);
    const bytes = Uint8Array.of(1, 2, 3);
    cache.add(info('a', 3), bytes);
    bytes[0] = 9;
    expect(Array.from(cache.get('a')!.bytes)).toEqual([1, 2, 3]);
    const buffer = Buffer.from([4, 5, 6]); // Buffer's own slice() would only view it
    cache.add(info('b', 3), buffer);
    buffer[0] = 9;
    expect(Array.from(cache.get('b')!.bytes)).toEqual([4, 5, 6]);
  });

  it('keeps shared bytes themselves, which nobody alters', () => {
    const cache = new BlobCache(10);
    const bytes = Uint8Array.of(1, 2, 3);
    cache.add(info('a', 3), bytes, true);
    expect(cache.get('a')?.bytes).toBe(bytes);
  });
});
