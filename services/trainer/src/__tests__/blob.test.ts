import { sha256 } from '@learnchain/core';
import type { v1 } from '@learnchain/proto';

import { readBlob } from '../blob';
import { BaseModelHashMismatchError, BlobStreamError } from '../errors';

const blob = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 31) % 251);
const hash = sha256(blob);

async function* chunks(messages: v1.BlobChunk__Output[]): AsyncGenerator<v1.BlobChunk__Output> {
  yield* messages;
}

function split(bytes: Uint8Array, declaredHash: Uint8Array, size = bytes.byteLength, chunk = 4096): v1.BlobChunk__Output[] {
  const out: v1.BlobChunk__Output[] = [];
  for (let at = 0; at < Math.max(1, bytes.byteLength); at += chunk) {
    out.push({ header: at === 0 ? { hash: Buffer.from(declaredHash), size, kind: 'BLOB_KIND_PARAMETERS', jobId: '' } : null, data: Buffer.from(bytes.subarray(at, at + chunk)) });
  }
  return out;
}

describe('readBlob', () => {
  it('reads and verifies a blob streamed in chunks', async () => {
    const read = await readBlob(chunks(split(blob, hash)), hash, 1 << 20);
    expect(Buffer.from(read).equals(Buffer.from(blob))).toBe(true);
  });

  it('refuses bytes that do not hash to the hash asked for', async () => {
    const tampered = blob.slice();
    tampered[5000] = (tampered[5000] ?? 0) ^ 1;
    await expect(readBlob(chunks(split(tampered, hash)), hash, 1 << 20)).rejects.toBeInstanceOf(BaseModelHashMismatchError);
  });

  it('refuses a stream without a header, for another hash, over the limit, short or long', async () => {
    const noHeader = split(blob, hash).map((m) => ({ ...m, header: null }));
    await expect(readBlob(chunks(noHeader), hash, 1 << 20)).rejects.toThrow(/no header/);
    await expect(readBlob(chunks(split(blob, sha256(Uint8Array.of(1)))), hash, 1 << 20)).rejects.toThrow(/names blob/);
    await expect(readBlob(chunks(split(blob, hash)), hash, 1000)).rejects.toThrow(/over the 1000-byte limit/);
    await expect(readBlob(chunks(split(blob, hash, blob.byteLength + 1)), hash, 1 << 20)).rejects.toThrow(/ended after/);
    await expect(readBlob(chunks(split(blob, hash, blob.byteLength - 1)), hash, 1 << 20)).rejects.toBeInstanceOf(BlobStreamError);
    await expect(readBlob(chunks([]), hash, 1 << 20)).rejects.toThrow(/before any message/);
  });
});
