/**
 * Reading a content-addressed blob from a GetBlob stream: the first message
 * carries the header (hash, size), the rest carry data in order. What was read
 * is hashed as it arrives; bytes that do not hash to the hash asked for are
 * refused (BaseModelHashMismatchError) and never trained on.
 */
import { ContentHasher, toHex } from '@learnchain/core';
import type { v1 } from '@learnchain/proto';

import { BaseModelHashMismatchError, BlobStreamError } from './errors';

/** Reads and verifies one blob; `maxBytes` bounds what a server can make the trainer allocate. */
export async function readBlob(stream: AsyncIterable<v1.BlobChunk__Output>, hash: Uint8Array, maxBytes: number): Promise<Uint8Array> {
  const expected = toHex(hash);
  let buffer: Uint8Array | undefined;
  let received = 0;
  const hasher = new ContentHasher();
  for await (const chunk of stream) {
    if (!buffer) {
      const header = chunk.header;
      if (!header) throw new BlobStreamError(expected, 'the first message carries no header');
      if (toHex(new Uint8Array(header.hash)) !== expected) throw new BlobStreamError(expected, `the header names blob ${toHex(new Uint8Array(header.hash))}`);
      if (!Number.isSafeInteger(header.size) || header.size < 0 || header.size > maxBytes) {
        throw new BlobStreamError(expected, `a size of ${header.size} bytes is over the ${maxBytes}-byte limit`);
      }
      buffer = new Uint8Array(header.size);
    } else if (chunk.header) {
      throw new BlobStreamError(expected, 'a header after the first message');
    }
    const data = chunk.data;
    if (received + data.byteLength > buffer.byteLength) throw new BlobStreamError(expected, `more than the ${buffer.byteLength} bytes the header declares`);
    buffer.set(data, received);
    hasher.update(data);
    received += data.byteLength;
  }
  if (!buffer) throw new BlobStreamError(expected, 'the stream ended before any message');
  if (received !== buffer.byteLength) throw new BlobStreamError(expected, `the stream ended after ${received} of ${buffer.byteLength} bytes`);
  const actual = toHex(hasher.digest());
  if (actual !== expected) throw new BaseModelHashMismatchError(expected, actual);
  return buffer;
}
