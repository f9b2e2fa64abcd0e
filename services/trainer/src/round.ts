/**
 * One round, from the trainer's side: is this node asked and is there time;
 * the job's hyper-parameters; the base model by hash (verified); local
 * training on the private shard; the delta, encoded and signed; the upload in
 * bounded chunks. Transient failures are retried until the round's deadline,
 * which also aborts whatever is still running.
 */
import { SizedLru, toHex, untilAborted, type Identity, type Logger } from '@learnchain/core';
import type { RoundOpened } from '@learnchain/bus';

import type { Attack } from './attacks';
import { EmptyShardError, RoundClosedError, RoundDeadlineError, UnknownJobError } from './errors';
import type { Clock, JobSource, LocalTrainer, ModelSource, SignedUpdate, SubmitReceipt, UpdateSink } from './ports';
import { secureNormal } from './privacy';
import { withRetries } from './retry';
import { parametersOf, signUpdate } from './update';

/** What became of one round.opened event. */
export type RoundOutcome =
  | { readonly kind: 'skipped'; readonly reason: 'wrong-chain' | 'not-a-participant' | 'deadline-passed' | 'already-handled' }
  | { readonly kind: 'submitted'; readonly updateHash: string; readonly duplicate: boolean; readonly bytes: number; readonly numSamples: number }
  | { readonly kind: 'failed'; readonly reason: string; readonly error: unknown };

export interface RoundHandlerOptions {
  readonly chainId: string;
  readonly identity: Identity;
  /** This node's id, as the registry gave it (participants are named by it). */
  readonly nodeId: () => string | undefined;
  readonly jobs: JobSource;
  readonly models: ModelSource;
  readonly updates: UpdateSink;
  readonly trainer: LocalTrainer;
  readonly attack: Attack;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Standard normal samples for DP noise; a CSPRNG by default. */
  readonly normal?: () => number;
  /** First wait between retries of a transient failure. */
  readonly retryInitialMs?: number;
}

const MAX_REMEMBERED = 4096;
/** How many signed updates are kept to be sent again (each is one model's size). */
const MAX_KEPT = 4;

/** A round on one base model: one update serves every opening of it on that base. */
function roundKey(event: RoundOpened): string {
  return `${event.jobId}/${event.round}/${Buffer.from(event.baseModelHash).toString('hex')}`;
}

/**
 * One opening of a round (an event from an aggregator that names no attempt
 * is told apart by its deadline). An opening is handled once, however often
 * its event is delivered. Opened again on the same base (the round failed and
 * is retried), the update already signed is sent again rather than trained
 * again: the aggregator may have dropped it. Opened on another base (the
 * aggregator abandoned a round that ran ahead of its predecessor's commit),
 * it is trained again. An opening whose update never reached the aggregator
 * is forgotten, so that a delivery of it again is taken.
 */
function openingKey(event: RoundOpened): string {
  return `${roundKey(event)}/${event.attempt ?? `by-${event.deadlineMs}`}`;
}

/** Handles round.opened events (the node trains for one at a time); remembers which rounds it handled. */
export class RoundHandler {
  private readonly handled = new Set<string>();
  /** The last updates signed, by roundKey (each counts one of MAX_KEPT). */
  private readonly kept = new SizedLru<SignedUpdate>(MAX_KEPT);
  /** Updates released per job, for the privacy accountant (kept in memory only). */
  private readonly released = new Map<string, number>();
  private readonly normal: () => number;

  constructor(private readonly options: RoundHandlerOptions) {
    this.normal = options.normal ?? secureNormal();
  }

  /** Why this node would not train in `event`, or undefined when it should. */
  skipReason(event: RoundOpened): Extract<RoundOutcome, { kind: 'skipped' }>['reason'] | undefined {
    const nodeId = this.options.nodeId();
    if (event.chainId !== this.options.chainId) return 'wrong-chain';
    if (nodeId === undefined || !event.participants.includes(nodeId)) return 'not-a-participant';
    if (event.deadlineMs <= this.options.clock.now()) return 'deadline-passed';
    if (this.handled.has(openingKey(event))) return 'already-handled';
    return undefined;
  }

  /**
   * Trains and uploads for `event` unless skipped; never throws (a failure is an
   * outcome). `uploading` is called once the round needs the training thread no
   * longer (its update is signed, or was signed before): the next round may train
   * while this one's upload waits for the aggregator's answer.
   */
  async handle(event: RoundOpened, signal?: AbortSignal, uploading?: () => void): Promise<RoundOutcome> {
    const skip = this.skipReason(event);
    if (skip) return { kind: 'skipped', reason: skip };
    const key = openingKey(event);
    this.handled.add(key);
    // Remember recent rounds only: old ones are past their deadline anyway.
    if (this.handled.size > MAX_REMEMBERED) this.handled.delete(this.handled.values().next().value as string);
    const deadline = AbortSignal.timeout(Math.max(1, event.deadlineMs - this.options.clock.now()));
    const bounded = signal ? AbortSignal.any([signal, deadline]) : deadline;
    const log = this.options.logger.child({ job: event.jobId, round: event.round });
    let stage = 'job lookup';
    try {
      const retry = <T>(what: string, attempt: () => Promise<T>): Promise<T> =>
        withRetries(attempt, {
          deadlineMs: event.deadlineMs,
          now: () => this.options.clock.now(),
          signal: bounded,
          ...(this.options.retryInitialMs !== undefined ? { initialMs: this.options.retryInitialMs } : {}),
          onRetry: (error, n, waitMs) => log.warn({ err: error, attempt: n, waitMs }, `${what} failed; retrying`),
        });
      const signed = this.kept.get(roundKey(event));
      if (signed) {
        stage = 'upload';
        uploading?.();
        return this.submitted(signed, await retry('upload', () => this.options.updates.submit(signed, bounded)), log.child({ sentAgain: true }));
      }
      const job = await retry('job lookup', () => this.options.jobs.job(event.jobId, bounded));
      if (!job) throw new UnknownJobError(event.jobId);
      const manifest = this.options.trainer.manifest(job.model);

      stage = 'base model fetch';
      const blob = await retry('base model fetch', () => this.options.models.fetch(event.baseModelHash, bounded));
      const base = parametersOf(blob, manifest, job.model);

      stage = 'training';
      // Training may not stop mid-epoch; the round does not wait for it once aborted.
      const result = await untilAborted(this.options.trainer.train(job, base, bounded), bounded);
      if (result.numSamples < 1) throw new EmptyShardError(job.jobId);

      stage = 'upload';
      const update = signUpdate({
        identity: this.options.identity,
        chainId: this.options.chainId,
        nodeId: this.options.nodeId() ?? '',
        job,
        round: event.round,
        baseModelHash: event.baseModelHash,
        base,
        result,
        manifest,
        attack: this.options.attack,
        normal: this.normal,
        released: this.released.get(job.jobId) ?? 0,
      });
      this.kept.set(roundKey(event), update, 1);
      this.released.set(job.jobId, (this.released.get(job.jobId) ?? 0) + 1);
      uploading?.();
      const receipt = await retry('upload', () => this.options.updates.submit(update, bounded));
      return this.submitted(update, receipt, log.child({ loss: result.loss, trainMs: Math.round(result.micros / 1000) }));
    } catch (raw) {
      // No update of ours counts: when the aggregator opens the round again (it failed), it is taken again, its update sent again if one was signed.
      this.handled.delete(key);
      const error = deadline.aborted ? new RoundDeadlineError(event.jobId, event.round, stage) : raw;
      if (signal?.aborted && !deadline.aborted) {
        log.warn({ stage }, 'round abandoned: the trainer is stopping');
        return { kind: 'failed', reason: `stopped during ${stage}`, error };
      }
      if (error instanceof RoundClosedError) log.warn({ stage, detail: error.detail }, 'round closed before the update arrived: it counts as late');
      else log.error({ err: error, stage }, 'round failed');
      return { kind: 'failed', reason: error instanceof Error ? error.message : String(error), error };
    }
  }

  /** The outcome of an upload the aggregator took; logged as 'update submitted', which the fault suite's invariants read. */
  private submitted(update: SignedUpdate, receipt: SubmitReceipt, log: Logger): RoundOutcome {
    const outcome: RoundOutcome = { kind: 'submitted', updateHash: toHex(receipt.updateHash), duplicate: receipt.duplicate, bytes: update.bytes.byteLength, numSamples: update.header.numSamples };
    log.info({ updateHash: outcome.updateHash, bytes: outcome.bytes, duplicate: receipt.duplicate }, 'update submitted');
    return outcome;
  }
}
