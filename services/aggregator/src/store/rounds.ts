/**
 * Jobs, rounds and accepted updates in PostgreSQL (or PGlite). Everything the
 * round manager knows lives here, so a restarted aggregator resumes the open
 * round as it was. An update and its bytes are committed in one transaction
 * that locks the round's row: a round that is closing takes the same lock, so
 * an update is either in the round or refused, never half-in.
 */
import { fromHex, toHex } from '@learnchain/core';
import { migrateToLatest, sql, type Kysely, type Storage, type Transaction } from '@learnchain/storage';

import type { JobSpec } from '../domain/job';
import type { Participant } from '../domain/participants';
import type { BlobStore } from './blobs';
import { enqueueEvent, EventOutbox, type OutboxEvent } from './outbox';
import { migrations, type AggregatorDb, type RoundStateName } from './schema';

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

function toRound(row: RoundRow): RoundRecord {
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

function participantsJson(participants: readonly Participant[]): string {
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
async function updatesIn(db: Kysely<AggregatorDb> | Transaction<AggregatorDb>, jobId: string, round: number): Promise<UpdateRecord[]> {
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

export class RoundStore {
  private constructor(
    private readonly db: Kysely<AggregatorDb>,
    private readonly clock: () => number,
  ) {}

  static async create(storage: Storage<AggregatorDb>, clock: () => number = Date.now): Promise<RoundStore> {
    await migrateToLatest(storage, migrations);
    await storage.db.insertInto('aggregator_meta').values({ id: 1, next_nonce: 1 }).onConflict((c) => c.doNothing()).execute();
    return new RoundStore(storage.db, clock);
  }

  /** Remembers a job; a job already known keeps its first description. Returns whether it was new. */
  async saveJob(spec: JobSpec): Promise<boolean> {
    const result = await this.db
      .insertInto('jobs')
      .values({ job_id: spec.jobId, spec: JSON.stringify(spec), created_at_ms: this.clock() })
      .onConflict((c) => c.doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async jobs(): Promise<JobSpec[]> {
    const rows = await this.db.selectFrom('jobs').select('spec').orderBy('created_at_ms').orderBy('job_id').execute();
    return rows.map((r) => JSON.parse(r.spec) as JobSpec);
  }

  async job(jobId: string): Promise<JobSpec | undefined> {
    const row = await this.db.selectFrom('jobs').select('spec').where('job_id', '=', jobId).executeTakeFirst();
    return row ? (JSON.parse(row.spec) as JobSpec) : undefined;
  }

  /** The job's latest round, if any. */
  async currentRound(jobId: string): Promise<RoundRecord | undefined> {
    const row = await this.db.selectFrom('rounds').selectAll().where('job_id', '=', jobId).orderBy('round', 'desc').limit(1).executeTakeFirst();
    return row ? toRound(row) : undefined;
  }

  /** The job's latest round and the one before it, latest first (fewer while the job has fewer). */
  async latest(jobId: string): Promise<RoundRecord[]> {
    const rows = await this.db.selectFrom('rounds').selectAll().where('job_id', '=', jobId).orderBy('round', 'desc').limit(2).execute();
    return rows.map(toRound);
  }

  async round(jobId: string, round: number): Promise<RoundRecord | undefined> {
    const row = await this.db.selectFrom('rounds').selectAll().where('job_id', '=', jobId).where('round', '=', round).executeTakeFirst();
    return row ? toRound(row) : undefined;
  }

  async rounds(jobId: string): Promise<RoundRecord[]> {
    const rows = await this.db.selectFrom('rounds').selectAll().where('job_id', '=', jobId).orderBy('round').execute();
    return rows.map(toRound);
  }

  /**
   * Opens a round, or opens a failed one again with a new attempt, and writes
   * `event` to the outbox in the same transaction. False when it is already open at that attempt.
   */
  async open(opening: RoundOpening, event?: OutboxEvent): Promise<boolean> {
    const values = {
      attempt: opening.attempt,
      state: 'open' as const,
      base_model_hash: opening.baseModelHash,
      epoch: opening.epoch,
      participants: participantsJson(opening.participants),
      opened_at_ms: opening.openedAtMs,
      deadline_ms: opening.deadlineMs,
      extended: false,
      closed_by: null,
      result: null,
      new_model_hash: null,
      height: null,
      block_hash: null,
      retry_at_ms: null,
      committed_at_ms: null,
    };
    return this.withEvent(async (trx) => {
      if (opening.attempt === 1) {
        const inserted = await trx
          .insertInto('rounds')
          .values({ job_id: opening.jobId, round: opening.round, failure: '', ...values })
          .onConflict((c) => c.doNothing())
          .executeTakeFirst();
        return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
      }
      const updated = await trx
        .updateTable('rounds')
        .set(values)
        .where('job_id', '=', opening.jobId)
        .where('round', '=', opening.round)
        .where('state', '=', 'failed')
        .where('attempt', '=', opening.attempt - 1)
        .executeTakeFirst();
      return Number(updated.numUpdatedRows) > 0;
    }, event && (() => event));
  }

  /**
   * Runs `change` in a transaction; when it reports a change, writes the event
   * `eventOf` builds (reading inside the same transaction) to the outbox before
   * the commit, so the state and its announcement are durable together.
   */
  private withEvent(change: (trx: Transaction<AggregatorDb>) => Promise<boolean>, eventOf?: (trx: Transaction<AggregatorDb>) => OutboxEvent | Promise<OutboxEvent>): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      if (!(await change(trx))) return false;
      if (eventOf) await enqueueEvent(trx, await eventOf(trx), this.clock());
      return true;
    });
  }

  async updates(jobId: string, round: number): Promise<UpdateRecord[]> {
    return updatesIn(this.db, jobId, round);
  }

  /** What an update would meet, read without locks: lets a stream be refused before its bytes are read. */
  async precheck(jobId: string, round: number, nodeId: string, updateHash: string): Promise<AcceptOutcome | undefined> {
    const mine = await this.db.selectFrom('updates').select('update_hash').where('job_id', '=', jobId).where('round', '=', round).where('node_id', '=', nodeId).executeTakeFirst();
    if (mine) return mine.update_hash === updateHash ? 'duplicate' : 'already-submitted';
    const seen = await this.db.selectFrom('updates').select('node_id').where('job_id', '=', jobId).where('update_hash', '=', updateHash).executeTakeFirst();
    return seen ? 'replayed' : undefined;
  }

  /**
   * Stores an update's bytes and record in one transaction, under the lock of
   * its round's row, if the round is still open at `attempt`.
   */
  async accept(update: UpdateToAccept, attempt: number, blobs: BlobStore): Promise<AcceptOutcome> {
    const outcome = await this.db.transaction().execute(async (trx): Promise<AcceptOutcome> => {
      const round = await trx
        .selectFrom('rounds')
        .select(['state', 'attempt'])
        .where('job_id', '=', update.jobId)
        .where('round', '=', update.round)
        .forUpdate()
        .executeTakeFirst();
      if (!round || round.state !== 'open' || Number(round.attempt) !== attempt) return 'round-not-open';
      const mine = await trx.selectFrom('updates').select('update_hash').where('job_id', '=', update.jobId).where('round', '=', update.round).where('node_id', '=', update.nodeId).executeTakeFirst();
      if (mine) return mine.update_hash === update.updateHash ? 'duplicate' : 'already-submitted';
      const seen = await trx.selectFrom('updates').select('node_id').where('job_id', '=', update.jobId).where('update_hash', '=', update.updateHash).executeTakeFirst();
      if (seen) return 'replayed';
      await blobs.putIn(trx, update.updateHash, update.bytes, 'update');
      await trx
        .insertInto('updates')
        .values({
          job_id: update.jobId,
          round: update.round,
          node_id: update.nodeId,
          update_hash: update.updateHash,
          size: update.size,
          encoding: update.encoding,
          num_samples: update.numSamples,
          public_key: Buffer.from(update.publicKey),
          signature: Buffer.from(update.signature),
          stats: update.stats,
          received_at_ms: this.clock(),
        })
        .execute();
      return 'accepted';
    });
    if (outcome === 'accepted') blobs.remember(update.updateHash, update.bytes, 'update');
    return outcome;
  }

  /** Moves a round from open to `state` (under the row lock), with the given fields. False when it was not open at `attempt`. */
  private async fromOpen(
    db: Kysely<AggregatorDb> | Transaction<AggregatorDb>,
    jobId: string,
    round: number,
    attempt: number,
    set: Partial<{ state: RoundStateName; closed_by: string; deadline_ms: number; extended: boolean; failure: string; retry_at_ms: number }>,
  ): Promise<boolean> {
    const updated = await db
      .updateTable('rounds')
      .set(set)
      .where('job_id', '=', jobId)
      .where('round', '=', round)
      .where('attempt', '=', attempt)
      .where('state', '=', 'open')
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) > 0;
  }

  /**
   * Closes an open round and writes the event `eventOf` builds from the
   * round's updates as the close leaves them (read in the same transaction:
   * an update committed just before the close is in).
   */
  close(jobId: string, round: number, attempt: number, closedBy: string, eventOf?: (updates: UpdateRecord[]) => OutboxEvent): Promise<boolean> {
    return this.withEvent(
      (trx) => this.fromOpen(trx, jobId, round, attempt, { state: 'closed', closed_by: closedBy }),
      eventOf && (async (trx) => eventOf(await updatesIn(trx, jobId, round))),
    );
  }

  extend(jobId: string, round: number, attempt: number, deadlineMs: number, reason: string): Promise<boolean> {
    return this.fromOpen(this.db, jobId, round, attempt, { deadline_ms: deadlineMs, extended: true, failure: `extended: ${reason}` });
  }

  /** Fails an open or closed (not yet committed) round, with `event` in the outbox; it may be opened again from `retryAtMs`. */
  fail(jobId: string, round: number, attempt: number, reason: string, retryAtMs: number, event?: OutboxEvent): Promise<boolean> {
    return this.withEvent((trx) => this.toFailed(trx, jobId, round, attempt, { failure: reason, retry_at_ms: retryAtMs }), event && (() => event));
  }

  /**
   * Fails an open or closed round that ran on a base model the chain will not
   * have, and deletes its updates (trained on that base) in the same
   * transaction; it may be opened again at once, on another base.
   */
  abandon(jobId: string, round: number, attempt: number, reason: string, event?: OutboxEvent): Promise<boolean> {
    return this.withEvent(async (trx) => {
      if (!(await this.toFailed(trx, jobId, round, attempt, { failure: reason, retry_at_ms: this.clock(), result: null, new_model_hash: null }))) return false;
      await trx.deleteFrom('updates').where('job_id', '=', jobId).where('round', '=', round).execute();
      return true;
    }, event && (() => event));
  }

  private async toFailed(
    trx: Transaction<AggregatorDb>,
    jobId: string,
    round: number,
    attempt: number,
    set: { failure: string; retry_at_ms: number; result?: null; new_model_hash?: null },
  ): Promise<boolean> {
    const updated = await trx
      .updateTable('rounds')
      .set({ state: 'failed', ...set })
      .where('job_id', '=', jobId)
      .where('round', '=', round)
      .where('attempt', '=', attempt)
      .where('state', 'in', ['open', 'closed'])
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) > 0;
  }

  async saveResult(jobId: string, round: number, attempt: number, result: StoredResult): Promise<void> {
    await this.db
      .updateTable('rounds')
      .set({ result: JSON.stringify(result), new_model_hash: result.newModelHash })
      .where('job_id', '=', jobId)
      .where('round', '=', round)
      .where('attempt', '=', attempt)
      .where('state', '=', 'closed')
      .execute();
  }

  /** Marks a closed round committed at `height`, with `event` in the outbox. */
  async commit(jobId: string, round: number, attempt: number, height: number, blockHash: string, event?: OutboxEvent): Promise<boolean> {
    return this.withEvent(async (trx) => {
      const updated = await trx
        .updateTable('rounds')
        .set({ state: 'committed', height, block_hash: blockHash, committed_at_ms: this.clock() })
        .where('job_id', '=', jobId)
        .where('round', '=', round)
        .where('attempt', '=', attempt)
        .where('state', '=', 'closed')
        .executeTakeFirst();
      return Number(updated.numUpdatedRows) > 0;
    }, event && (() => event));
  }

  /** The outbox the state changes above write to. */
  outbox(): EventOutbox {
    return new EventOutbox(this.db);
  }

}
