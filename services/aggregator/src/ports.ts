/** The aggregator's ports: what it needs from the ledger and from membership. Adapters are in adapters/. */
import type { v1 } from '@learnchain/proto';

import type { JobSpec } from './domain/job';
import type { Participant } from './domain/participants';

/** Where the aggregator learns a job's details (the ledger). */
export interface JobSource {
  /** The job, or undefined while the ledger does not know it. */
  job(jobId: string, signal?: AbortSignal): Promise<JobSpec | undefined>;
}

/** The ledger's verdict on a committed transaction. */
export interface Committed {
  readonly accepted: boolean;
  readonly reason: string;
  readonly height: number;
  readonly blockHash: Uint8Array;
}

/** Where the aggregator submits its transactions and follows them to commit (the validators). */
export interface ChainClient {
  /** Broadcasts and waits for the block that commits it; throws when no validator answers. */
  submit(tx: v1.Tx, signal?: AbortSignal): Promise<Committed>;
}

/** The active trainers at the current membership epoch (the registry). */
export interface MembershipSource {
  activeTrainers(signal?: AbortSignal): Promise<{ readonly epoch: number; readonly trainers: readonly Participant[] }>;
}
