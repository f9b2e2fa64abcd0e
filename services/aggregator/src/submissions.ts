/**
 * Round results on their way to the chain: each submitted aside from the
 * round passes (a pass never waits for a commit, so the rounds of other jobs,
 * and the next round of this one, move on meanwhile), one after another
 * (each takes the nonce after the last one the chain committed), followed to
 * its commit or refusal. A submission whose answer was lost may have
 * committed: the chain is asked first, so no round is submitted twice.
 */
import type { Identity, Logger } from '@learnchain/core';

import type { JobSpec } from './domain/job';
import type { RoundObserver } from './metrics';
import type { ChainClient, CommittedRound } from './ports';
import type { RoundRecord, StoredResult } from './store/records';
import type { RoundStore } from './store/rounds';
import { roundResultTx } from './tx';

/** Where a round's result ended on the chain. */
export interface Commit {
  readonly newModelHash: string;
  readonly height: number;
  readonly blockHash: Uint8Array;
}

function commitOf(known: CommittedRound): Commit {
  return { newModelHash: known.model, height: known.height, blockHash: known.blockHash };
}

export interface ResultSubmissionsOptions {
  readonly chainId: string;
  readonly rounds: RoundStore;
  readonly chain: ChainClient;
  readonly identity: Identity;
  readonly logger: Logger;
  readonly observer: RoundObserver;
  readonly clock: () => number;
  /** Wait before a failed submission is tried again. */
  readonly retryDelayMs: number;
  readonly signal: AbortSignal;
  /** Asks for a pass over the job's rounds at `atMs` (a submission's retry). */
  readonly dueAt: (jobId: string, atMs: number) => void;
  /** The round's result is committed (by this submission or an earlier one). */
  readonly committed: (job: JobSpec, round: RoundRecord, commit: Commit) => Promise<void>;
  /** The ledger refused the round's result. */
  readonly refused: (job: JobSpec, round: RoundRecord, reason: string) => Promise<void>;
}

export class ResultSubmissions {
  private readonly backoff = new Map<string, number>();
  /** Submissions queued or under way, by job/round/attempt, and the last one queued. */
  private readonly pending = new Map<string, Promise<void>>();
  private last: Promise<void> = Promise.resolve();

  constructor(private readonly options: ResultSubmissionsOptions) {}

  /** Queues the round's result unless it is queued or under way already, or waits for its retry time. */
  submit(job: JobSpec, round: RoundRecord, result: StoredResult): void {
    const key = `${job.jobId}/${round.round}/${round.attempt}`;
    if (this.pending.has(key)) return;
    const backoffUntil = this.backoff.get(key) ?? 0;
    if (this.options.clock() < backoffUntil) {
      // A pass came before the retry time (the job had an earlier one): ask for the retry again.
      this.options.dueAt(job.jobId, backoffUntil);
      return;
    }
    const submission = this.last
      .then(() => this.send(job, round, result, key))
      .catch((error: unknown) => this.options.logger.error({ err: error, job: job.jobId, round: round.round }, 'round result submission failed; retrying on the next tick'))
      .finally(() => this.pending.delete(key));
    this.pending.set(key, submission);
    this.last = submission;
  }

  /** Settles once every submission queued so far has. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.pending.values()]);
  }

  private async send(job: JobSpec, round: RoundRecord, result: StoredResult, key: string): Promise<void> {
    const { rounds, chain, identity, chainId, logger, signal } = this.options;
    let committed;
    try {
      // The ledger takes each key's nonces 1, 2, 3, ... without gaps: continue from what it committed (asked at the same time).
      const [known, lastNonce] = await Promise.all([chain.committedRound(job.jobId, round.round, signal), chain.lastNonce(identity.publicKey, signal)]);
      if (known) {
        if (known.model !== result.newModelHash) {
          logger.error({ job: job.jobId, round: round.round, ours: result.newModelHash, chain: known.model }, 'the chain committed another result for this round: following the chain');
          await rounds.saveResult(job.jobId, round.round, round.attempt, { ...result, newModelHash: known.model });
        }
        return this.options.committed(job, round, commitOf(known));
      }
      const base = round.round > 1 ? await rounds.round(job.jobId, round.round - 1) : undefined;
      const data = { jobId: job.jobId, round: round.round, baseModelHash: round.baseModelHash, membershipEpoch: round.epoch, rule: job.rule, result, baseCommittedAtMs: base?.committedAtMs ?? 0 };
      const tx = roundResultTx(identity, chainId, lastNonce + 1, data);
      committed = await this.options.observer.submit(job.jobId, round.round, () => chain.submit(tx, signal));
    } catch (error) {
      const retryAtMs = this.options.clock() + this.options.retryDelayMs;
      this.backoff.set(key, retryAtMs);
      this.options.dueAt(job.jobId, retryAtMs);
      if (signal.aborted) logger.debug({ err: error, job: job.jobId, round: round.round }, 'round result submission cut short by stopping');
      else logger.warn({ err: error, job: job.jobId, round: round.round }, 'round result not submitted; retrying');
      return;
    }
    this.backoff.delete(key);
    if (!committed.accepted) {
      // Refused as a repeat of a round that an earlier, lost submission committed: follow the chain.
      const known = await chain.committedRound(job.jobId, round.round, signal).catch(() => undefined);
      if (known && known.model === result.newModelHash) return this.options.committed(job, round, commitOf(known));
      return this.options.refused(job, round, `the ledger refused the round result: ${committed.reason || 'no reason given'}`);
    }
    return this.options.committed(job, round, { newModelHash: result.newModelHash, height: committed.height, blockHash: committed.blockHash });
  }
}
