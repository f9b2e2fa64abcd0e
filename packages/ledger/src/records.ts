/** The records the ledger keeps, by key. Values are canonical maps; these types name their fields. */
import type { Canonical } from '@learnchain/core';

export const KEYS = {
  nonce: (signerHex: string) => `nonces/${signerHex}`,
  membership: 'membership',
  member: (nodeId: string) => `members/${nodeId}`,
  memberKey: (publicKeyHex: string) => `keys/${publicKeyHex}`,
  departures: 'departures',
  departure: (seq: number) => `departures/${seq}`,
  job: (jobId: string) => `jobs/${jobId}`,
  round: (jobId: string, round: number) => `jobs/${jobId}/rounds/${round}`,
  validators: 'validators',
  reputation: (nodeId: string) => `reputation/${nodeId}`,
  evidence: (validator: string, height: number, round: number, type: string) => `evidence/${validator}/${height}/${round}/${type}`,
} as const;

/**
 * The keys of the records execution writes but never reads: each round's
 * record, one more with every round of every job. A validator keeps one in
 * memory only until its block is stored, and then only its hash, for the app
 * hash (LedgerState.release); QueryState reads it from the store. The same
 * pattern in JavaScript and in PostgreSQL's `~`.
 */
export const ARCHIVED_KEY_PATTERN = '^jobs/[^/]+/rounds/[0-9]+$';
const ARCHIVED_KEY = new RegExp(ARCHIVED_KEY_PATTERN);

export function isArchivedKey(key: string): boolean {
  return key.startsWith('jobs/') && ARCHIVED_KEY.test(key);
}

export interface MemberRecord {
  readonly nodeId: string;
  readonly publicKey: Uint8Array;
  readonly role: string;
  readonly joinedEpoch: number;
  readonly leftEpoch: number | null;
  readonly status: 'active' | 'left' | 'failed';
  readonly reason: string;
  readonly capabilities: Canonical;
}

export interface JobRecord {
  readonly jobId: string;
  readonly creator: string;
  readonly createdHeight: number;
  readonly spec: Canonical;
  /** The hash of the job's current model parameters: the head of its lineage. */
  readonly head: Uint8Array;
  /** The last committed round; 0 before the first. Rounds are numbered from 1. */
  readonly round: number;
  readonly ruleName: string;
  /** The validation set's hash; empty when the job has no validation rule. */
  readonly validationDataset: Uint8Array;
  readonly maxLoss: number;
  readonly maxLossIncrease: number;
}

export interface RoundRecord {
  readonly jobId: string;
  readonly round: number;
  readonly height: number;
  readonly parent: Uint8Array;
  readonly model: Uint8Array;
  readonly aggregator: string;
  readonly membershipEpoch: number;
  readonly included: readonly { readonly nodeId: string; readonly updateHash: Uint8Array; readonly decision: string; readonly numSamples: number }[];
  readonly excluded: readonly { readonly nodeId: string; readonly updateHash: Uint8Array; readonly reason: string }[];
  readonly metrics: Canonical;
}

export interface ValidatorRecord {
  readonly address: string;
  readonly publicKey: Uint8Array;
  readonly power: number;
}

export interface ReputationRecord {
  readonly nodeId: string;
  readonly credits: number;
  readonly exclusions: number;
  readonly lastExclusion: string;
}

/** Reads a record of a known shape. */
export function read<T>(value: Canonical | undefined): T | undefined {
  return value === undefined || value === null ? undefined : (value as unknown as T);
}

/** A record as a canonical value. */
export function asCanonical(record: object): Canonical {
  return record as unknown as Canonical;
}
