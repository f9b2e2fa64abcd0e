/**
 * The Aggregator gRPC service: SubmitUpdate (see intake.ts), GetBlob and
 * PutBlob (blobs a committed job names) over the content-addressed store, GetRound and ListRounds. Handlers
 * report failure only by throwing status errors.
 */
import { status, type ServerWritableStream, type UntypedServiceImplementation } from '@grpc/grpc-js';

import { callSignal, HandlerFactory, invalidArgument, notFound, resourceExhausted, StatusError, toServiceError, writeMessage, type Logger } from '@learnchain/core';
import { SERVICE_NAMES, type v1 } from '@learnchain/proto';

import { hashField, receiveBlob, type BlobLimits } from './blob-upload';
import type { UpdateIntake } from './intake';
import type { JobSource } from './ports';
import type { BlobStore } from './store/blobs';
import type { RoundRecord } from './store/records';
import type { RoundStore } from './store/rounds';
import type { BlobKindName, RoundStateName } from './store/schema';
import { roundResultMessage } from './tx';

export interface ServiceLimits extends BlobLimits {
  /** Upload streams (SubmitUpdate, PutBlob) taken at once; each holds up to a blob in memory. */
  readonly maxUploads: number;
}

/** Rounds in a ListRounds page when the request names no limit, and the most it may name. */
export const DEFAULT_LIST_ROUNDS = 100;
export const MAX_LIST_ROUNDS = 1000;

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


/** A round as GetRound and ListRounds answer it, `received` naming the senders of its accepted updates (RoundStore.senders). */
async function roundStatus(rounds: RoundStore, record: RoundRecord, received: readonly string[]): Promise<v1.RoundStatus> {
  const job = await rounds.job(record.jobId);
  return {
    jobId: record.jobId,
    round: record.round,
    state: STATE_TO_WIRE[record.state],
    baseModelHash: Buffer.from(record.baseModelHash, 'hex'),
    deadlineMs: record.deadlineMs,
    participants: record.participants.map((p) => p.nodeId),
    received: [...received],
    ...(record.result && job
      ? { result: roundResultMessage({ jobId: record.jobId, round: record.round, baseModelHash: record.baseModelHash, membershipEpoch: record.epoch, rule: job.rule, result: record.result }) }
      : {}),
    failure: record.failure,
    membershipEpoch: record.epoch,
    committedHeight: record.height ?? 0,
    committedBlockHash: Buffer.from(record.blockHash ?? '', 'hex'),
  };
}

/** NOT_FOUND for a blob; saying so when it was an update or a model whose bytes the retention deleted (store/retention.ts). */
async function missingBlob(rounds: RoundStore, hash: string): Promise<StatusError> {
  const deleted = (what: string, kept: string): StatusError =>
    new StatusError(status.NOT_FOUND, { field: 'hash', reason: 'deleted', message: `blob ${hash} (${what}) was deleted: ${kept}` });
  const update = await rounds.updateNamed(hash);
  if (update) return deleted(`the update of ${update.nodeId} to job ${update.jobId}, round ${update.round}`, "updates' bytes are kept for a job's last committed rounds (LEARNCHAIN_KEEP_UPDATE_ROUNDS)");
  const model = await rounds.modelNamed(hash);
  if (model) return deleted(`the model of job ${model.jobId}, round ${model.round}`, "models are kept for a job's last committed rounds (LEARNCHAIN_KEEP_MODEL_ROUNDS), its checkpoints (LEARNCHAIN_MODEL_CHECKPOINT_ROUNDS) and its last");
  return notFound('blob', hash, 'hash');
}

export function aggregatorService(deps: { intake: UpdateIntake; blobs: BlobStore; rounds: RoundStore; jobs: JobSource; limits: ServiceLimits; logger: Logger }): UntypedServiceImplementation {
  const { intake, blobs, rounds, jobs, limits, logger } = deps;
  const h = new HandlerFactory(logger, SERVICE_NAMES.aggregator);
  let uploads = 0;
  const upload = async <T>(work: () => Promise<T>): Promise<T> => {
    if (uploads >= limits.maxUploads) throw resourceExhausted(`${uploads} uploads are in flight, the limit is ${limits.maxUploads}: retry later`, 'busy');
    uploads += 1;
    try {
      return await work();
    } finally {
      uploads -= 1;
    }
  };
  return {
    SubmitUpdate: h.clientStream('SubmitUpdate', (messages: AsyncIterable<v1.UpdateChunk__Output>): Promise<v1.SubmitUpdateResponse> =>
      upload(async () => {
        const answer = await intake.submit(messages);
        return { updateHash: Buffer.from(answer.updateHash), duplicate: answer.duplicate };
      }),
    ),

    GetBlob: serverStream(logger, 'GetBlob', async (request: v1.GetBlobRequest__Output, call, signal) => {
      const hash = hashField(request.hash, 'hash');
      const size = request.chunkSize === 0 ? limits.maxChunkBytes : Math.min(request.chunkSize, limits.maxChunkBytes);
      const info = await blobs.stat(hash);
      if (!info) throw await missingBlob(rounds, hash);
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

    PutBlob: h.clientStream('PutBlob', (messages: AsyncIterable<v1.BlobChunk__Output>, _call, signal): Promise<v1.PutBlobResponse> =>
      upload(() => receiveBlob(messages, blobs, limits, jobs, signal)),
    ),

    GetRound: h.unary('GetRound', async (request: v1.GetRoundRequest__Output): Promise<v1.RoundStatus> => {
      if (!request.jobId) throw invalidArgument('job_id', 'is required', 'missing');
      const record = request.round === 0 ? await rounds.currentRound(request.jobId) : await rounds.round(request.jobId, request.round);
      if (!record) throw notFound('round', `${request.jobId}/${request.round || 'current'}`, request.round === 0 ? 'job_id' : 'round');
      return roundStatus(rounds, record, (await rounds.senders(record.jobId, record.round, record.round)).get(record.round) ?? []);
    }),

    ListRounds: h.unary('ListRounds', async (request: v1.ListRoundsRequest__Output): Promise<v1.ListRoundsResponse> => {
      if (!request.jobId) throw invalidArgument('job_id', 'is required', 'missing');
      if (request.limit > MAX_LIST_ROUNDS) throw invalidArgument('limit', `is at most ${MAX_LIST_ROUNDS}`, 'too_large');
      const from = Math.max(1, Number(request.fromRound));
      const limit = request.limit || DEFAULT_LIST_ROUNDS;
      // One more than the page: whether another page follows.
      const records = await rounds.roundsFrom(request.jobId, from, limit + 1);
      const page = records.slice(0, limit);
      const last = page[page.length - 1];
      const senders = last ? await rounds.senders(request.jobId, from, last.round) : new Map<number, string[]>();
      const statuses: v1.RoundStatus[] = [];
      for (const record of page) statuses.push(await roundStatus(rounds, record, senders.get(record.round) ?? []));
      return { rounds: statuses, nextRound: records.length > limit ? (records[limit] as RoundRecord).round : 0 };
    }),
  };
}
