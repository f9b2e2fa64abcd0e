import type { Upload } from '@learnchain/core';
import type { v1 } from '@learnchain/proto';

import { ChunkSizeError } from '../errors';
import type { SignedUpdate } from '../ports';
import { checkChunkSize, streamUpdate } from '../upload';

function update(size: number): SignedUpdate {
  const bytes = Uint8Array.from({ length: size }, (_, i) => i % 256);
  return {
    header: {
      chainId: 'c',
      jobId: 'j',
      round: 1,
      baseModelHash: new Uint8Array(32).fill(1),
      updateHash: new Uint8Array(32).fill(2),
      encoding: 'float16',
      numSamples: 5,
      nodeId: 'n',
      publicKey: new Uint8Array(32).fill(3),
      signature: new Uint8Array(64).fill(4),
      trainLoss: NaN,
      trainMicros: 9,
      epsilonSpent: 1.5,
    },
    bytes,
  };
}

class RecordingUpload implements Upload<v1.UpdateChunk, v1.SubmitUpdateResponse__Output> {
  readonly messages: v1.UpdateChunk[] = [];
  cancelled = false;
  constructor(private readonly failAt = -1) {}
  async write(message: v1.UpdateChunk): Promise<void> {
    if (this.messages.length === this.failAt) throw new Error('stream broke');
    this.messages.push(message);
  }
  async finish(): Promise<v1.SubmitUpdateResponse__Output> {
    return { updateHash: Buffer.alloc(32, 2), duplicate: false };
  }
  cancel(): void {
    this.cancelled = true;
  }
}

describe('streamUpdate', () => {
  it('sends the header alone, then data chunks no larger than the chunk size, in order', async () => {
    const u = update(10_000);
    const call = new RecordingUpload();
    const receipt = await streamUpdate(call, u, 4096);
    expect(receipt.duplicate).toBe(false);
    const [first, ...rest] = call.messages;
    expect(first?.header).toMatchObject({ chainId: 'c', updateSize: 10_000, encoding: 'DTYPE_FLOAT16', numSamples: 5, nodeId: 'n', stats: { trainLoss: 0, trainMicros: 9, epsilonSpent: 1.5 } });
    expect(first?.data).toBeUndefined();
    expect(rest.map((m) => (m.data as Buffer).byteLength)).toEqual([4096, 4096, 1808]);
    expect(rest.every((m) => m.header === undefined)).toBe(true);
    expect(Buffer.concat(rest.map((m) => m.data as Buffer)).equals(Buffer.from(u.bytes))).toBe(true);
  });

  it('cancels the call when a write fails', async () => {
    const call = new RecordingUpload(2);
    await expect(streamUpdate(call, update(10_000), 4096)).rejects.toThrow(/stream broke/);
    expect(call.cancelled).toBe(true);
  });

  it('refuses a chunk size that does not fit a message', () => {
    expect(() => checkChunkSize(4 * 1024 * 1024, 4 * 1024 * 1024)).toThrow(ChunkSizeError);
    expect(() => checkChunkSize(0, 4 * 1024 * 1024)).toThrow(ChunkSizeError);
    expect(() => checkChunkSize(1024 * 1024, 4 * 1024 * 1024)).not.toThrow();
  });
});
