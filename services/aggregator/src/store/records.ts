/**
 * What the aggregator stores of rounds and updates, as records, and how they
 * are read from their rows (store/rounds.ts writes them).
 */
import { fromHex, toHex } from '@learnchain/core';

import type { Participant } from '../domain/participants';
import type { AggregatorDb, Db, RoundStateName } from './schema';

/** The result of a round as stored (hashes and keys as hex). */
export interface StoredResult {
  readonly newModelHash: string;
  readonly included: readonly {
    readonly nodeId: string;
    readonly updateHash: string;
    readonly numSamples: number;
    readonly encoding: string;
    readonly publicKey: string;
    readonly signature: string;
    readonly decision: string;
    readonly score: number;
    /** Reported by the trainer; absent in results stored before it was recorded. */
    readonly trainMicros?: number;
    readonly receivedAtMs?: number;
    readonly size?: number;
  }[];
  readonly excluded: readonly { readonly nodeId: string; readonly updateHash: string; readonly reason: string }[];
  readonly aggregationMicros: number;
  readonly updateBytes: number;
  readonly openedAtMs?: number;
  readonly closedAtMs?: number;
}

export interface RoundRecord {
  readonly jobId: string;
  readonly round: number;
  readonly attempt: number;
  readonly state: RoundStateName;
  readonly baseModelHash: string;
  readonly epoch: number;
  readonly participants: readonly Participant[];
  readonly openedAtMs: number;
  readonly deadlineMs: number;
  readonly extended: boolean;
  readonly closedBy: string | null;
  readonly result: StoredResult | null;
  readonly height: number | null;
  readonly blockHash: string | null;
  readonly failure: string;
  readonly retryAtMs: number | null;
  /** When the aggregator learnt that the chain committed it (its clock). */
  readonly committedAtMs: number | null;
}

export interface UpdateRecord {
  readonly jobId: string;
  readonly round: number;
  readonly nodeId: string;
  readonly updateHash: string;
  readonly size: number;
  readonly encoding: string;
  readonly numSamples: number;
  readonly publicKey: Uint8Array;
  readonly signature: Uint8Array;
  readonly receivedAtMs: number;
  /** The trainer's own report of its local training time (0 when it sent none). */
  readonly trainMicros: number;
}

export type AcceptOutcome = 'accepted' | 'duplicate' | 'round-not-open' | 'already-submitted' | 'replayed';

type RoundRow = { [K in keyof AggregatorDb['rounds']]: unknown };

function num(value: unknown): number {
  return Number(value);
}

export function toRound(row: RoundRow): RoundRecord {
  const participants = (JSON.parse(String(row.participants)) as { nodeId: string; publicKey: string }[]).map((p) => ({ nodeId: p.nodeId, publicKey: fromHex(p.publicKey) ?? new Uint8Array() }));
  return {
    jobId: String(row.job_id),
    round: num(row.round),
    attempt: num(row.attempt),
    state: row.state as RoundStateName,
    baseModelHash: String(row.base_model_hash),
    epoch: num(row.epoch),
    participants,
    openedAtMs: num(row.opened_at_ms),
    deadlineMs: num(row.deadline_ms),
    extended: Boolean(row.extended),
    closedBy: row.closed_by === null ? null : String(row.closed_by),
    result: row.result === null ? null : (JSON.parse(String(row.result)) as StoredResult),
    height: row.height === null ? null : num(row.height),
    blockHash: row.block_hash === null ? null : String(row.block_hash),
    failure: String(row.failure),
    retryAtMs: row.retry_at_ms === null ? null : num(row.retry_at_ms),
    committedAtMs: row.committed_at_ms === null ? null : num(row.committed_at_ms),
  };
}

export function participantsJson(participants: readonly Participant[]): string {
  return JSON.stringify(participants.map((p) => ({ nodeId: p.nodeId, publicKey: toHex(p.publicKey) })));
}

/** A round to open (or to open again after a failure). */
export interface RoundOpening {
  readonly jobId: string;
  readonly round: number;
  readonly attempt: number;
  readonly baseModelHash: string;
  readonly epoch: number;
  readonly participants: readonly Participant[];
  readonly openedAtMs: number;
  readonly deadlineMs: number;
}

export interface UpdateToAccept extends Omit<UpdateRecord, 'receivedAtMs' | 'trainMicros'> {
  readonly stats: string;
  readonly bytes: Uint8Array;
}

/** A round's accepted updates, oldest first. */
export async function updatesIn(db: Db, jobId: string, round: number): Promise<UpdateRecord[]> {
  const rows = await db.selectFrom('updates').selectAll().where('job_id', '=', jobId).where('round', '=', round).orderBy('received_at_ms').orderBy('node_id').execute();
  return rows.map((r) => ({
    jobId: r.job_id,
    round: Number(r.round),
    nodeId: r.node_id,
    updateHash: r.update_hash,
    size: Number(r.size),
    encoding: r.encoding,
    numSamples: Number(r.num_samples),
    publicKey: new Uint8Array(r.public_key),
    signature: new Uint8Array(r.signature),
    receivedAtMs: Number(r.received_at_ms),
    trainMicros: Math.max(0, Number((JSON.parse(r.stats) as { trainMicros?: unknown }).trainMicros) || 0),
  }));
}

/**
 * What an earlier submission makes of an update: the node's own update of the
 * round (the same one: a duplicate; another: refused), or the same bytes from
 * another node (a replay); undefined when it is new.
 */
export async function priorSubmission(db: Db, jobId: string, round: number, nodeId: string, updateHash: string): Promise<AcceptOutcome | undefined> {
  // One read: the node's update in this round, and the update of these bytes in any round (at most one of each).
  const rows = await db
    .selectFrom('updates')
    .select(['round', 'node_id', 'update_hash'])
    .where('job_id', '=', jobId)
    .where((eb) => eb.or([eb.and([eb('round', '=', round), eb('node_id', '=', nodeId)]), eb('update_hash', '=', updateHash)]))
    .execute();
  const mine = rows.find((r) => Number(r.round) === round && r.node_id === nodeId);
  if (mine) return mine.update_hash === updateHash ? 'duplicate' : 'already-submitted';
  return rows.length > 0 ? 'replayed' : undefined;
}
