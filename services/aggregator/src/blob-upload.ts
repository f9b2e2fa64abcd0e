/**
 * PutBlob: a blob streamed in, the header first (hash, size, kind, job), data
 * in order in bounded chunks. Only a blob that a committed job names (its
 * initial parameters, model definition or validation set) is taken, so the
 * store holds nothing but what rounds and validators need; the job is looked
 * up and the size checked before any data is read, and the hash of what
 * arrived is checked before anything is stored.
 */
import { ContentHasher, failedPrecondition, invalidArgument, permissionDenied, resourceExhausted, toHex } from '@learnchain/core';
import type { v1 } from '@learnchain/proto';

import type { JobSource } from './ports';
import type { BlobStore } from './store/blobs';
import type { BlobKindName } from './store/schema';

export interface BlobLimits {
  /** Largest data field of one stream message. */
  readonly maxChunkBytes: number;
  /** Largest blob stored. */
  readonly maxBlobBytes: number;
}

/** Kinds a client may store with PutBlob (updates come only through SubmitUpdate). */
const PUTTABLE: Partial<Record<string, BlobKindName>> = { BLOB_KIND_MODEL: 'model', BLOB_KIND_PARAMETERS: 'parameters', BLOB_KIND_DATASET: 'dataset' };

/** A 32-byte hash field as hex; INVALID_ARGUMENT naming `field` otherwise. */
export function hashField(hash: Buffer, field: string): string {
  if (hash.length !== 32) throw invalidArgument(field, 'must be a 32-byte SHA-256', 'bad_hash');
  return toHex(new Uint8Array(hash));
}

/** Receives and stores one blob; throws status errors for every bad stream. */
export async function receiveBlob(
  messages: AsyncIterable<v1.BlobChunk__Output>,
  blobs: BlobStore,
  limits: BlobLimits,
  jobs: JobSource,
  signal?: AbortSignal,
): Promise<v1.PutBlobResponse> {
  const iterator = messages[Symbol.asyncIterator]();
  const first = await iterator.next();
  const header = first.done ? null : first.value.header;
  if (first.done || !header) throw invalidArgument('header', 'the first message must carry the blob header', 'missing_header');
  const hash = hashField(header.hash, 'header.hash');
  const kind = PUTTABLE[header.kind];
  if (!kind) throw invalidArgument('header.kind', 'must be a model, parameters or dataset blob', 'bad_kind');
  await namedByJob(jobs, header.jobId, hash, kind, signal);
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
}

/** Passes when the committed job `jobId` names `hash` as a blob of `kind`; a status error saying what is missing otherwise. */
async function namedByJob(jobs: JobSource, jobId: string, hash: string, kind: BlobKindName, signal?: AbortSignal): Promise<void> {
  if (!jobId) throw invalidArgument('header.job_id', 'must name the committed job whose CreateJob names this blob', 'missing_job');
  const job = (await jobs.job(jobId, signal))?.spec;
  if (!job) throw failedPrecondition(`job ${jobId} is not on the chain: commit its CreateJob first, then store the blobs it names`, 'unknown_job', 'header.job_id');
  const named = job.blobs.find((b) => b.hash === hash);
  if (!named) {
    const names = job.blobs.map((b) => `${b.field} ${b.hash.slice(0, 12)}…`).join(', ');
    throw permissionDenied(`job ${jobId} does not name blob ${hash} (it names ${names})`, 'not_named', 'header.hash');
  }
  if (named.kind !== kind) throw invalidArgument('header.kind', `job ${jobId} names this blob as its ${named.field}, a ${named.kind} blob, not ${kind}`, 'kind_mismatch');
}
