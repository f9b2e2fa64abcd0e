/**
 * The Aggregator gRPC service: SubmitUpdate (see intake.ts), GetBlob and
 * PutBlob over the content-addressed store, GetRound and ListRounds. Handlers
 * report failure only by throwing status errors.
 */
import type { ServerWritableStream, UntypedServiceImplementation } from '@grpc/grpc-js';

import { callSignal, ContentHasher, HandlerFactory, toServiceError, invalidArgument, notFound, resourceExhausted, toHex, writeMessage, type Logger } from '@learnchain/core';
import { SERVICE_NAMES, type v1 } from '@learnchain/proto';

import type { UpdateIntake } from './intake';
import type { BlobStore } from './store/blobs';
import type { RoundRecord, RoundStore } from './store/rounds';
import type { BlobKindName, RoundStateName } from './store/schema';
import { roundResultMessage } from './tx';

export interface BlobLimits {
  readonly maxChunkBytes: number;
  readonly maxBlobBytes: number;
}

const STATE_TO_WIRE: Record<RoundStateName, v1.RoundState> = {
  open: 'ROUND_STATE_OPEN',
  closed: 'ROUND_STATE_CLOSED',
  committed: 'ROUND_STATE_COMMITTED',
  failed: 'ROUND_STATE_FAILED',
};

const KIND_TO_WIRE: Record<BlobKindName, v1.BlobKind> = {
  model: 'BLOB_KIND_MODEL',
  parameters: 'BLOB_KIND_PARAMETERS',
  update: 'BLOB_KIND_UPDATE',
  dataset: 'BLOB_KIND_DATASET',
};

/** Kinds a client may store with PutBlob (updates come only through SubmitUpdate). */
const PUTTABLE: Partial<Record<string, BlobKindName>> = { BLOB_KIND_MODEL: 'model', BLOB_KIND_PARAMETERS: 'parameters', BLOB_KIND_DATASET: 'dataset' };

/**
 * A server-streaming handler whose failure reaches the caller as a status: the
 * error is emitted on the call (grpc-js then ends it with that status), where
 * destroying the call would drop the status and leave the caller waiting.
 */
function serverStream<Req, Res>(logger: Logger, method: string, handler: (request: Req, call: ServerWritableStream<Req, Res>, signal: AbortSignal) => Promise<void>) {
  const context = { logger, method: `${SERVICE_NAMES.aggregator}/${method}` };
  return (call: ServerWritableStream<Req, Res>): void => {
    handler(call.request, call, callSignal(call)).then(
      () => call.end(),
      (error: unknown) => {
        if (!call.cancelled) call.emit('error', toServiceError(error, context));
      },
    );
  };
}

function hashField(hash: Buffer, field: string): string {
  if (hash.length !== 32) throw invalidArgument(field, 'must be a 32-byte SHA-256', 'bad_hash');
  return toHex(new Uint8Array(hash));
}

export async function roundStatus(rounds: RoundStore, record: RoundRecord): Promise<v1.RoundStatus> {
  const job = await rounds.job(record.jobId);
  const updates = await rounds.updates(record.jobId, record.round);
  return {
    jobId: record.jobId,
    round: record.round,
    state: STATE_TO_WIRE[record.state],
    baseModelHash: Buffer.from(record.baseModelHash, 'hex'),
    deadlineMs: record.deadlineMs,
    participants: record.participants.map((p) => p.nodeId),
    received: updates.map((u) => u.nodeId),
    ...(record.result && job
      ? { result: roundResultMessage({ jobId: record.jobId, round: record.round, baseModelHash: record.baseModelHash, membershipEpoch: record.epoch, rule: job.rule, result: record.result }) }
      : {}),
    failure: record.failure,
    membershipEpoch: record.epoch,
  };
}

export function aggregatorService(deps: { intake: UpdateIntake; blobs: BlobStore; rounds: RoundStore; limits: BlobLimits; logger: Logger }): UntypedServiceImplementation {
  const { intake, blobs, rounds, limits, logger } = deps;
  const h = new HandlerFactory(logger, SERVICE_NAMES.aggregator);
  return {
    SubmitUpdate: h.clientStream('SubmitUpdate', async (messages: AsyncIterable<v1.UpdateChunk__Output>): Promise<v1.SubmitUpdateResponse> => {
      const answer = await intake.submit(messages);
      return { updateHash: Buffer.from(answer.updateHash), duplicate: answer.duplicate };
    }),

    GetBlob: serverStream(logger, 'GetBlob', async (request: v1.GetBlobRequest__Output, call, signal) => {
      const hash = hashField(request.hash, 'hash');
      const size = request.chunkSize === 0 ? limits.maxChunkBytes : Math.min(request.chunkSize, limits.maxChunkBytes);
      const info = await blobs.stat(hash);
      if (!info) throw notFound('blob', hash, 'hash');
      let header: v1.BlobHeader | undefined = { hash: request.hash, size: info.size, kind: KIND_TO_WIRE[info.kind] };
      if (info.size === 0) return writeMessage(call, { header, data: Buffer.alloc(0) });
      for await (const stored of blobs.chunks(info)) {
        for (let at = 0; at < stored.byteLength; at += size) {
          if (signal.aborted) return;
          const data = stored.subarray(at, Math.min(stored.byteLength, at + size));
          await writeMessage(call, { ...(header ? { header } : {}), data: Buffer.from(data.buffer, data.byteOffset, data.byteLength) });
          header = undefined;
        }
      }
    }),

    PutBlob: h.clientStream('PutBlob', async (messages: AsyncIterable<v1.BlobChunk__Output>): Promise<v1.PutBlobResponse> => {
      const iterator = messages[Symbol.asyncIterator]();
      const first = await iterator.next();
      const header = first.done ? null : first.value.header;
      if (first.done || !header) throw invalidArgument('header', 'the first message must carry the blob header', 'missing_header');
      const hash = hashField(header.hash, 'header.hash');
      const kind = PUTTABLE[header.kind];
      if (!kind) throw invalidArgument('header.kind', 'must be a model, parameters or dataset blob', 'bad_kind');
      if (!Number.isSafeInteger(header.size) || header.size > limits.maxBlobBytes) {
        throw resourceExhausted(`a blob of ${header.size} bytes exceeds the ${limits.maxBlobBytes}-byte limit`, 'too_large', 'header.size');
      }
      const buffer = new Uint8Array(header.size);
      const hasher = new ContentHasher();
      let received = 0;
      const take = (data: Buffer): void => {
        if (data.byteLength > limits.maxChunkBytes) throw resourceExhausted(`a chunk of ${data.byteLength} bytes exceeds the ${limits.maxChunkBytes}-byte limit`, 'chunk_too_large', 'data');
        if (received + data.byteLength > header.size) throw invalidArgument('data', `more than the ${header.size} bytes the header declares`, 'overlong');
        buffer.set(data, received);
        hasher.update(data);
        received += data.byteLength;
      };
      take(first.value.data);
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        if (next.value.header) throw invalidArgument('header', 'only the first message may carry the header', 'header_not_first');
        take(next.value.data);
      }
      if (received < header.size) throw invalidArgument('data', `the stream ended after ${received} of ${header.size} bytes`, 'truncated');
      const actual = toHex(hasher.digest());
      if (actual !== hash) throw invalidArgument('header.hash', `the data hashes to ${actual}`, 'hash_mismatch');
      await blobs.put(buffer, kind, hash);
      return { hash: header.hash, size: header.size };
    }),

    GetRound: h.unary('GetRound', async (request: v1.GetRoundRequest__Output): Promise<v1.RoundStatus> => {
      if (!request.jobId) throw invalidArgument('job_id', 'is required', 'missing');
      const record = request.round === 0 ? await rounds.currentRound(request.jobId) : await rounds.round(request.jobId, request.round);
      if (!record) throw notFound('round', `${request.jobId}/${request.round || 'current'}`, request.round === 0 ? 'job_id' : 'round');
      return roundStatus(rounds, record);
    }),

    ListRounds: h.unary('ListRounds', async (request: v1.ListRoundsRequest__Output): Promise<v1.ListRoundsResponse> => {
      if (!request.jobId) throw invalidArgument('job_id', 'is required', 'missing');
      const records = await rounds.rounds(request.jobId);
      return { rounds: await Promise.all(records.map((r) => roundStatus(rounds, r))) };
    }),
  };
}
