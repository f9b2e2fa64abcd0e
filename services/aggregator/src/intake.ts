/**
 * SubmitUpdate: takes a trainer's update stream, checks everything it can
 * from the header before reading any data (chain, job, open round, base model,
 * encoding, exact size, participant, signature, duplicates), then reads the data
 * with bounded chunks into a buffer of the declared size, verifies the hash, and
 * commits bytes and record in one transaction before answering. A refused stream
 * writes nothing.
 *
 * Size rule: an update's size must equal encodedSize(job encoding, model layout)
 * exactly (see @learnchain/model/encoding), and no blob may exceed `maxBlobBytes`.
 */
import { contentId, Status, StatusError, failedPrecondition, invalidArgument, permissionDenied, resourceExhausted, toHex, unauthenticated, updateStatement, verifyStatement } from '@learnchain/core';
import { checkUpdateHeader, encodedSize, layoutOf as fittingLayout, UPDATE_HEADER_BYTES, type ParameterLayout, type UpdateEncoding } from '@learnchain/model/encoding';
import type { v1 } from '@learnchain/proto';

import type { JobSpec } from './domain/job';
import type { BlobStore } from './store/blobs';
import type { RoundRecord } from './store/records';
import type { RoundStore } from './store/rounds';

export interface IntakeLimits {
  /** Largest data field of one stream message. */
  readonly maxChunkBytes: number;
  /** Largest blob (update, model, dataset) the aggregator stores. */
  readonly maxBlobBytes: number;
}

export interface SubmitAnswer {
  readonly updateHash: Uint8Array;
  readonly duplicate: boolean;
}

const WIRE_ENCODING: Record<string, UpdateEncoding> = { DTYPE_FLOAT32: 'float32', DTYPE_FLOAT16: 'float16', DTYPE_INT8: 'int8' };

function alreadyExists(field: string, message: string, reason: string): StatusError {
  return new StatusError(Status.ALREADY_EXISTS, { field, reason, message });
}

/** The layout of a job's model whose parameter blob holds `parameterCount` float32 values. */
export function layoutOf(job: JobSpec, parameterCount: number): ParameterLayout {
  return fittingLayout(job.tensors, parameterCount);
}

interface Admitted {
  readonly job: JobSpec;
  readonly round: RoundRecord;
  readonly encoding: UpdateEncoding;
  readonly layout: ParameterLayout;
  readonly size: number;
  readonly updateHash: string;
  readonly publicKey: Uint8Array;
  readonly signature: Uint8Array;
  readonly duplicate: boolean;
}

/** An update stored in an open round. */
export interface AcceptedUpdate {
  readonly jobId: string;
  readonly round: number;
  readonly nodeId: string;
  readonly updateHash: Uint8Array;
  readonly size: number;
}

export class UpdateIntake {
  constructor(
    private readonly options: {
      readonly chainId: string;
      readonly rounds: RoundStore;
      readonly blobs: BlobStore;
      readonly limits: IntakeLimits;
      /** Called after an update is committed (the round manager looks at the round again; validators are told of it). */
      readonly onAccepted?: (accepted: AcceptedUpdate) => void;
    },
  ) {}

  async submit(messages: AsyncIterable<v1.UpdateChunk__Output>): Promise<SubmitAnswer> {
    const iterator = messages[Symbol.asyncIterator]();
    const first = await iterator.next();
    const header = first.done ? null : first.value.header;
    if (first.done || !header) throw invalidArgument('header', 'the first message of the stream must carry the update header', 'missing_header');
    const admitted = await this.admit(header);
    const hashBytes = new Uint8Array(header.updateHash);
    if (admitted.duplicate) return { updateHash: hashBytes, duplicate: true };

    const { maxChunkBytes } = this.options.limits;
    const buffer = new Uint8Array(admitted.size);
    let received = 0;
    let headerChecked = false;
    const take = (data: Buffer): void => {
      if (data.byteLength > maxChunkBytes) throw resourceExhausted(`a chunk of ${data.byteLength} bytes exceeds the ${maxChunkBytes}-byte limit`, 'chunk_too_large', 'data');
      if (received + data.byteLength > admitted.size) throw invalidArgument('data', `more than the ${admitted.size} bytes update_size declares`, 'overlong');
      buffer.set(data, received);
      received += data.byteLength;
      if (!headerChecked && received >= UPDATE_HEADER_BYTES) {
        headerChecked = true;
        try {
          checkUpdateHeader(buffer.subarray(0, UPDATE_HEADER_BYTES), admitted.encoding, admitted.layout);
        } catch (error) {
          throw invalidArgument('data', (error as Error).message, 'bad_encoding');
        }
      }
    };
    take(first.value.data);
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      if (next.value.header) throw invalidArgument('header', 'only the first message may carry the header', 'header_not_first');
      take(next.value.data);
    }
    if (received < admitted.size) throw invalidArgument('data', `the stream ended after ${received} of ${admitted.size} bytes`, 'truncated');
    const actual = contentId(buffer);
    if (actual !== admitted.updateHash) throw invalidArgument('header.update_hash', `the data hashes to ${actual}`, 'hash_mismatch');

    const outcome = await this.options.rounds.accept(
      {
        jobId: admitted.job.jobId,
        round: admitted.round.round,
        nodeId: header.nodeId,
        updateHash: admitted.updateHash,
        size: admitted.size,
        encoding: admitted.encoding,
        numSamples: header.numSamples,
        publicKey: admitted.publicKey,
        signature: admitted.signature,
        stats: JSON.stringify(header.stats ?? {}),
        bytes: buffer,
      },
      admitted.round.attempt,
      this.options.blobs,
    );
    switch (outcome) {
      case 'accepted':
        this.options.onAccepted?.({ jobId: admitted.job.jobId, round: admitted.round.round, nodeId: header.nodeId, updateHash: hashBytes, size: admitted.size });
        return { updateHash: hashBytes, duplicate: false };
      case 'duplicate':
        return { updateHash: hashBytes, duplicate: true };
      default:
        throw this.refusal(outcome, admitted.round.round);
    }
  }

  private refusal(outcome: 'round-not-open' | 'already-submitted' | 'replayed', round: number): StatusError {
    switch (outcome) {
      case 'round-not-open':
        return failedPrecondition(`round ${round} closed while the update was streamed`, 'round_closed', 'header.round');
      case 'already-submitted':
        return alreadyExists('header.node_id', `the node already submitted a different update in round ${round}`, 'already_submitted');
      case 'replayed':
        return alreadyExists('header.update_hash', 'this update was already submitted (replay)', 'replayed_update');
    }
  }

  /** Every check that needs only the header, in the order a caller can fix them. */
  private async admit(header: v1.UpdateHeader__Output): Promise<Admitted> {
    const { chainId, rounds, blobs, limits } = this.options;
    if (header.chainId !== chainId) throw invalidArgument('header.chain_id', `this aggregator serves chain ${chainId}`, 'wrong_chain');
    if (!header.jobId) throw invalidArgument('header.job_id', 'is required', 'missing');
    const job = await rounds.job(header.jobId);
    if (!job) throw failedPrecondition(`job ${header.jobId} is not known to this aggregator`, 'unknown_job', 'header.job_id');
    if (!Number.isSafeInteger(header.round) || header.round < 1) throw invalidArgument('header.round', 'must be a positive integer', 'bad_round');
    const round = await rounds.currentRound(job.jobId);
    if (!round || header.round > round.round) throw failedPrecondition(`round ${header.round} of job ${job.jobId} is not open`, 'round_not_open', 'header.round');
    if (header.round < round.round) throw failedPrecondition(`round ${header.round} is over: the current round is ${round.round}`, 'stale_round', 'header.round');
    if (round.state !== 'open') throw failedPrecondition(`round ${round.round} is ${round.state}`, 'round_closed', 'header.round');
    if (toHex(new Uint8Array(header.baseModelHash)) !== round.baseModelHash) throw invalidArgument('header.base_model_hash', `is not the base model of round ${round.round}`, 'wrong_base');
    const encoding = WIRE_ENCODING[header.encoding];
    if (encoding !== job.encoding) throw invalidArgument('header.encoding', `the job takes ${job.encoding} updates`, 'wrong_encoding');
    if (header.updateHash.length !== 32) throw invalidArgument('header.update_hash', 'must be a 32-byte SHA-256', 'bad_hash');
    if (!Number.isSafeInteger(header.numSamples) || header.numSamples < 1) throw invalidArgument('header.num_samples', 'must be a positive integer', 'bad_num_samples');

    const base = await blobs.stat(round.baseModelHash);
    if (!base) throw failedPrecondition(`the base model of round ${round.round} is not stored`, 'base_missing', 'header.base_model_hash');
    const layout = layoutOf(job, base.size / 4);
    const size = encodedSize(encoding, layout);
    if (size > limits.maxBlobBytes) throw resourceExhausted(`a ${encoding} update of this model is ${size} bytes, over the ${limits.maxBlobBytes}-byte limit`, 'too_large', 'header.update_size');
    if (header.updateSize !== size) throw invalidArgument('header.update_size', `a ${encoding} update of this model is exactly ${size} bytes`, 'wrong_size');

    const participant = round.participants.find((p) => p.nodeId === header.nodeId);
    if (!participant) throw permissionDenied(`node ${header.nodeId || '(none)'} is not a participant of round ${round.round}`, 'not_a_participant', 'header.node_id');
    const signature = header.signature;
    if (!signature || signature.signature.length !== 64) throw unauthenticated('the update must be signed with a 64-byte ed25519 signature', 'missing_signature', 'header.signature');
    const publicKey = new Uint8Array(signature.publicKey);
    if (toHex(publicKey) !== toHex(participant.publicKey)) throw unauthenticated(`the key is not node ${participant.nodeId}'s registered key`, 'wrong_key', 'header.signature.public_key');
    const updateHash = toHex(new Uint8Array(header.updateHash));
    const statement = updateStatement({
      chainId,
      jobId: job.jobId,
      round: round.round,
      baseModelHash: new Uint8Array(header.baseModelHash),
      updateHash: new Uint8Array(header.updateHash),
      encoding,
      numSamples: header.numSamples,
    });
    const sig = new Uint8Array(signature.signature);
    if (!verifyStatement(publicKey, 'update', statement, sig)) throw unauthenticated('the signature does not cover this update', 'bad_signature', 'header.signature');

    const seen = await rounds.precheck(job.jobId, round.round, participant.nodeId, updateHash);
    if (seen === 'already-submitted' || seen === 'replayed') throw this.refusal(seen, round.round);
    return { job, round, encoding, layout, size, updateHash, publicKey, signature: sig, duplicate: seen === 'duplicate' };
  }
}
