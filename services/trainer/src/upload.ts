/**
 * Streaming an update with SubmitUpdate: one message with the signed header,
 * then the bytes in chunks of at most `chunkBytes`, each write awaiting the
 * transport (backpressure), so no more than a few chunks are ever buffered.
 * Chunks are views of the update, never copies.
 */
import type { Upload } from '@learnchain/core';
import type { v1 } from '@learnchain/proto';

import { ChunkSizeError } from './errors';
import type { SignedUpdate, SubmitReceipt } from './ports';

/** Room left in each message for the protobuf framing of a data chunk. */
export const FRAMING_BYTES = 1024;

const WIRE_ENCODING = { float32: 'DTYPE_FLOAT32', float16: 'DTYPE_FLOAT16', int8: 'DTYPE_INT8' } as const;

/** Throws ChunkSizeError unless a chunk of `chunkBytes` fits a message of `maxMessageBytes`. */
export function checkChunkSize(chunkBytes: number, maxMessageBytes: number): void {
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 1 || chunkBytes + FRAMING_BYTES > maxMessageBytes) {
    throw new ChunkSizeError(chunkBytes, maxMessageBytes);
  }
}

/** The first message of an upload: the header, no data. */
export function headerMessage(update: SignedUpdate): v1.UpdateChunk {
  const h = update.header;
  return {
    header: {
      chainId: h.chainId,
      jobId: h.jobId,
      round: h.round,
      baseModelHash: Buffer.from(h.baseModelHash),
      updateHash: Buffer.from(h.updateHash),
      updateSize: update.bytes.byteLength,
      encoding: WIRE_ENCODING[h.encoding],
      numSamples: h.numSamples,
      nodeId: h.nodeId,
      signature: { publicKey: Buffer.from(h.publicKey), signature: Buffer.from(h.signature) },
      stats: { trainLoss: Number.isFinite(h.trainLoss) ? h.trainLoss : 0, trainMicros: h.trainMicros, epsilonSpent: h.epsilonSpent },
    },
  };
}

/** The data messages of an upload, in order, as views of `bytes`. */
export function* dataMessages(bytes: Uint8Array, chunkBytes: number): Generator<v1.UpdateChunk> {
  for (let at = 0; at < bytes.byteLength; at += chunkBytes) {
    const end = Math.min(bytes.byteLength, at + chunkBytes);
    yield { data: Buffer.from(bytes.buffer, bytes.byteOffset + at, end - at) };
  }
}

/** Sends one update over an open SubmitUpdate call and returns the aggregator's receipt. */
export async function streamUpdate(
  call: Upload<v1.UpdateChunk, v1.SubmitUpdateResponse__Output>,
  update: SignedUpdate,
  chunkBytes: number,
): Promise<SubmitReceipt> {
  try {
    await call.write(headerMessage(update));
    for (const message of dataMessages(update.bytes, chunkBytes)) await call.write(message);
  } catch (error) {
    call.cancel();
    throw error;
  }
  const answer = await call.finish();
  return { updateHash: new Uint8Array(answer.updateHash), duplicate: answer.duplicate };
}
