/**
 * Verification of a round that needs more than the ledger state: re-executing
 * the aggregate from the update blobs and evaluating the new model. The host
 * calls a `RoundVerifier` for every RoundResult of a proposed block BEFORE it
 * prevotes (the consensus core's validate-proposal effect); an invalid round,
 * or one whose blobs cannot be fetched, makes the block invalid.
 */
import { setImmediate as turn } from 'node:timers/promises';

import { inlineRunner, parseRule, type Rule, type RuleRunner, type Update } from '@learnchain/aggregation';
import { ContentHasher, equalBytes, toHex, type Logger } from '@learnchain/core';
import type { v1 } from '@learnchain/proto';

import { BlobUnavailableError } from './errors';
import type { JobRecord } from './records';
import { encodingName } from './round';

export interface RoundCheck {
  readonly chainId: string;
  readonly job: JobRecord;
  readonly result: v1.RoundResult__Output;
  readonly signal?: AbortSignal;
}

export interface RoundVerdict {
  readonly valid: boolean;
  readonly reason: string;
  /**
   * Not judged but unverifiable for now: a blob it needs could not be fetched
   * (an aggregator restarting, a network fault). Asking again later may give
   * a verdict; every other invalid verdict would be the same on every try.
   */
  readonly retry?: boolean;
}

/** The port the validator host calls before it votes for a block carrying a round. */
export interface RoundVerifier {
  verify(check: RoundCheck): Promise<RoundVerdict>;
}

/** Reads a content-addressed blob; MUST throw BlobUnavailableError unless the bytes hash to `hash`. */
export interface BlobSource {
  fetch(hash: Uint8Array, signal?: AbortSignal): Promise<Uint8Array>;
  /**
   * Offers a blob this process hashed itself (a round's new model, recomputed
   * and found to hash to `new_model_hash`), so that a later fetch of it (the
   * next round's base) need not go over the network. The caller never changes
   * `bytes` afterwards.
   */
  keep?(hash: Uint8Array, bytes: Uint8Array): void;
}

/**
 * Evaluates a model on the job's committed validation set. @learnchain/model
 * fills this port (its `evaluate(model, params, dataset)`): load the job's model
 * definition, run `params` over the dataset blob named by `datasetHash`, return
 * the mean loss.
 */
export interface ModelEvaluator {
  evaluate(job: JobRecord, parameters: Float32Array, datasetHash: Uint8Array, signal?: AbortSignal): Promise<{ readonly loss: number }>;
}

/** What an update is decoded for: its job (whose manifest lays out int8 scales) and the model's parameter count. */
export interface UpdateContext {
  readonly job: JobRecord;
  readonly size: number;
}

/**
 * Turns an update blob into float32 values, written into `out` when given (an
 * array of the model's size the rule runner allocated); the default knows
 * 'float32' (little-endian) only.
 */
export type UpdateDecoder = (bytes: Uint8Array, encoding: string, context: UpdateContext, out?: Float32Array) => Float32Array;

export function decodeFloat32(bytes: Uint8Array, encoding: string, _context?: UpdateContext, out?: Float32Array): Float32Array {
  if (encoding !== 'float32') throw new Error(`update encoding ${encoding} is not supported by this validator`);
  if (bytes.byteLength % 4 !== 0) throw new Error('float32 blob length is not a multiple of 4');
  if (out && out.length !== bytes.byteLength / 4) throw new Error(`${bytes.byteLength / 4} values, expected ${out.length}`);
  const copy = out ?? new Float32Array(bytes.byteLength / 4);
  new Uint8Array(copy.buffer, copy.byteOffset, copy.byteLength).set(bytes);
  return copy;
}

/** The bytes of parameters as the chain hashes them: float32 little-endian. */
export function parameterBytes(values: Float32Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

export interface AggregateRoundVerifierOptions {
  readonly blobs: BlobSource;
  readonly logger: Logger;
  /** Absent: evaluation is skipped (with a warning) only for jobs without a validation rule; other jobs are refused. */
  readonly evaluator?: ModelEvaluator;
  readonly decode?: UpdateDecoder;
  /** Where the rule is re-run (default: inline); a pool keeps a large round off the caller's event loop. */
  readonly runner?: RuleRunner;
  /**
   * Decode each update in a turn of the event loop of its own, so that what else the loop serves (a validator's
   * votes) does not wait for all of them. Off by default: where the whole check runs on the loop anyway, the turns
   * only make it, and the commit waiting for it, later.
   */
  readonly interleave?: boolean;
}

/** A RoundResult's rule as @learnchain/aggregation names it. */
export function ruleOf(rule: v1.AggregationRule__Output | null): unknown {
  if (!rule) return { name: '' };
  return { name: rule.name, f: rule.byzantineBudget, ...rule.params };
}

/**
 * Recomputes new parameters = base + aggregate(rule, included updates) and
 * compares their hash with `new_model_hash`; then checks the loss with the evaluator.
 */
export class AggregateRoundVerifier implements RoundVerifier {
  constructor(private readonly options: AggregateRoundVerifierOptions) {}

  async verify(check: RoundCheck): Promise<RoundVerdict> {
    const { result, job } = check;
    const decode = this.options.decode ?? decodeFloat32;
    let blobs: Uint8Array[];
    try {
      // several blobs asked for at once: the fetches wait on the network, not on each other
      const hashes = [result.baseModelHash, ...result.included.map((u) => u.updateHash)];
      blobs = await fetchAll(hashes.map((h) => new Uint8Array(h)), (hash) => this.options.blobs.fetch(hash, check.signal));
    } catch (error) {
      return unverifiable('blobs', error);
    }
    let rule: Rule;
    try {
      rule = parseRule(ruleOf(result.rule));
    } catch (error) {
      return { valid: false, reason: `aggregate: ${(error as Error).message}` };
    }
    const runner = this.options.runner ?? inlineRunner;
    let updates: Update[];
    let base: Float32Array;
    try {
      const [baseBytes, ...updateBytes] = blobs;
      base = decodeFloat32(baseBytes!, 'float32');
      const allocate = runner.allocate(rule, result.included.length, base.length);
      updates = [];
      for (const [i, u] of result.included.entries()) {
        if (i > 0 && this.options.interleave) await turn();
        updates.push({ id: toHex(u.updateHash), values: decode(updateBytes[i]!, encodingName(u.encoding) ?? '', { job, size: base.length }, allocate?.()), weight: Math.max(1, u.numSamples) });
      }
    } catch (error) {
      return { valid: false, reason: `blobs: ${(error as Error).message}` };
    }
    let next: Float32Array;
    try {
      const { aggregate: delta } = await runner.run(rule, updates, base.length);
      next = new Float32Array(base.length);
      for (let i = 0; i < base.length; i++) next[i] = (base[i] as number) + (delta[i] as number);
    } catch (error) {
      return { valid: false, reason: `aggregate: ${(error as Error).message}` };
    }
    const hash = new ContentHasher().update(parameterBytes(next)).digest();
    if (!equalBytes(hash, new Uint8Array(result.newModelHash))) return { valid: false, reason: 'aggregate-mismatch: the rule applied to the signed updates does not give new_model_hash' };
    this.options.blobs.keep?.(hash, parameterBytes(next));
    if (job.validationDataset.length === 0) {
      this.options.logger.warn({ job: job.jobId, round: result.round }, 'job has no validation rule: loss not checked');
      return { valid: true, reason: '' };
    }
    if (!this.options.evaluator) return { valid: false, reason: 'no-evaluator: this validator cannot check the loss of the new model' };
    try {
      const { loss } = await this.options.evaluator.evaluate(job, next, job.validationDataset, check.signal);
      if (!Number.isFinite(loss)) return { valid: false, reason: 'loss is not finite' };
      if (job.maxLoss > 0 && loss > job.maxLoss) return { valid: false, reason: `loss ${loss} above max_loss ${job.maxLoss}` };
      if (job.maxLossIncrease > 0) {
        const { loss: baseLoss } = await this.options.evaluator.evaluate(job, base, job.validationDataset, check.signal);
        if (loss - baseLoss > job.maxLossIncrease) return { valid: false, reason: `loss rose by ${loss - baseLoss}, above ${job.maxLossIncrease}` };
      }
    } catch (error) {
      return unverifiable('evaluate', error);
    }
    return { valid: true, reason: '' };
  }
}

/** The verdict on a step that failed: one to ask again when what failed was fetching a blob. */
function unverifiable(step: string, error: unknown): RoundVerdict {
  const reason = `${step}: ${(error as Error).message}`;
  return error instanceof BlobUnavailableError ? { valid: false, reason, retry: true } : { valid: false, reason };
}

/** Blobs fetched at once per round check, at most. */
const CONCURRENT_FETCHES = 8;

/** Fetches every hash, up to CONCURRENT_FETCHES at a time; the blobs in the order of the hashes. */
async function fetchAll(hashes: readonly Uint8Array[], fetch: (hash: Uint8Array) => Promise<Uint8Array>): Promise<Uint8Array[]> {
  const out = new Array<Uint8Array>(hashes.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < hashes.length) {
      const i = next++;
      out[i] = await fetch(hashes[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENT_FETCHES, hashes.length) }, worker));
  return out;
}

/** A verifier that accepts every round (tests, and chains whose rounds are checked elsewhere). */
export const acceptAllRounds: RoundVerifier = { verify: async () => ({ valid: true, reason: '' }) };

/**
 * Joins a stream of chunks into one blob, checking what it hashes to; throws
 * BlobUnavailableError on mismatch. The chunks become the caller's: a blob of
 * one chunk is that chunk itself.
 */
export async function collectBlob(hash: Uint8Array, chunks: AsyncIterable<Uint8Array>, maxBytes: number): Promise<Uint8Array> {
  const hasher = new ContentHasher();
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) {
    hasher.update(chunk);
    if (hasher.bytesSeen > maxBytes) throw new BlobUnavailableError(toHex(hash), `larger than ${maxBytes} bytes`);
    parts.push(chunk);
  }
  if (!equalBytes(hasher.digest(), hash)) throw new BlobUnavailableError(toHex(hash), 'content does not hash to its name');
  // One chunk (a blob up to the chunk size) is returned as it came: the chunks are the caller's to give.
  if (parts.length === 1) return parts[0] as Uint8Array;
  const out = new Uint8Array(hasher.bytesSeen);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

/**
 * A blob read from the messages of a GetBlob stream (each carries `data`),
 * hashed as it arrives; whatever goes wrong, a BlobUnavailableError naming it.
 * The data are taken as views, not copied.
 */
export async function blobFromStream(hash: Uint8Array, messages: AsyncIterable<unknown>, maxBytes: number): Promise<Uint8Array> {
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for await (const message of messages) {
      const data = (message as { readonly data: Uint8Array }).data;
      yield new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    }
  }
  try {
    return await collectBlob(hash, chunks(), maxBytes);
  } catch (error) {
    if (error instanceof BlobUnavailableError) throw error;
    throw new BlobUnavailableError(toHex(hash), (error as Error).message);
  }
}
