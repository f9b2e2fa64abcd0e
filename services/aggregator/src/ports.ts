/** The aggregator's ports: what it needs from the ledger and from membership. Adapters are in adapters/. */
import type { v1 } from '@learnchain/proto';

import type { LedgerJob } from './domain/job';
import type { Participant } from './domain/participants';

/** A page of the ledger's jobs, in id order. */
export interface LedgerJobPage {
  readonly jobs: readonly LedgerJob[];
  /** Jobs on the page whose record does not read as a job, with the reason. */
  readonly malformed: readonly { readonly jobId: string; readonly reason: string }[];
  /** The id to ask for the next page after; empty on the last page. */
  readonly nextAfter: string;
}

/** Where the aggregator learns jobs (the ledger). */
export interface JobSource {
  /** The job, or undefined while the ledger does not know it. */
  job(jobId: string, signal?: AbortSignal): Promise<LedgerJob | undefined>;
  /** The ledger's jobs after the id `after` ('' from the first), a page at a time. */
  jobs(after: string, signal?: AbortSignal): Promise<LedgerJobPage>;
}

/** The ledger's verdict on a committed transaction. */
export interface Committed {
  readonly accepted: boolean;
  readonly reason: string;
  readonly height: number;
  readonly blockHash: Uint8Array;
}

/** A round the ledger has committed. */
export interface CommittedRound {
  /** SHA-256 (hex) of the round's new model. */
  readonly model: string;
  readonly height: number;
  readonly blockHash: Uint8Array;
}

/** Where the aggregator submits its transactions and follows them to commit (the validators). */
export interface ChainClient {
  /** Broadcasts and waits for the block that commits it; throws when no validator answers. */
  submit(tx: v1.Tx, signal?: AbortSignal): Promise<Committed>;
  /**
   * The ledger's record of a committed round, or undefined while it has none:
   * lets an aggregator that lost the answer to its submission (a crash, a
   * timeout) learn that the round committed instead of submitting it again.
   */
  committedRound(jobId: string, round: number, signal?: AbortSignal): Promise<CommittedRound | undefined>;
  /** The last nonce the ledger has committed for this key (0: none); the next transaction takes one more. */
  lastNonce(publicKey: Uint8Array, signal?: AbortSignal): Promise<number>;
}

/** The active trainers at the current membership epoch (the registry). */
export interface MembershipSource {
  activeTrainers(signal?: AbortSignal): Promise<{ readonly epoch: number; readonly trainers: readonly Participant[] }>;
}
