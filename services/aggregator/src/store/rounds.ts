/**
 * Jobs, rounds and accepted updates in PostgreSQL (or PGlite), and every
 * change of a round's state (records.ts holds their shapes). Everything the
 * round manager knows lives here, so a restarted aggregator resumes the open
 * round as it was. An update and its bytes are committed in one transaction
 * that locks the round's row: a round that is closing takes the same lock, so
 * an update is either in the round or refused, never half-in.
 */
import { migrateToLatest, type Kysely, type Storage, type Transaction, type Updateable } from '@learnchain/storage';

import type { JobSpec } from '../domain/job';
import type { BlobStore } from './blobs';
import { enqueueEvent, EventOutbox, type OutboxEvent } from './outbox';
import { participantsJson, priorSubmission, toRound, updatesIn, type AcceptOutcome, type RoundOpening, type RoundRecord, type StoredResult, type UpdateRecord, type UpdateToAccept } from './records';
import { migrations, type AggregatorDb, type Db, type RoundStateName } from './schema';

/** The states of a round not yet committed or failed. */
const RUNNING: readonly RoundStateName[] = ['open', 'closed'];

export class RoundStore {
  /** Jobs read so far: a job's description never changes once saved (saveJob keeps the first). */
  private readonly specs = new Map<string, JobSpec>();

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
      .values({ job_id: spec.jobId, spec: JSON.stringify(spec), created_at_ms: this.clock(), last_round: spec.rounds })
      .onConflict((c) => c.doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Which of `jobIds` this aggregator has saved. */
  async knownJobs(jobIds: readonly string[]): Promise<Set<string>> {
    if (jobIds.length === 0) return new Set();
    const rows = await this.db.selectFrom('jobs').select('job_id').where('job_id', 'in', jobIds).execute();
    return new Set(rows.map((r) => r.job_id));
  }

  /** Every job's id, oldest first. */
  async jobIds(): Promise<string[]> {
    const rows = await this.db.selectFrom('jobs').select('job_id').orderBy('created_at_ms').orderBy('job_id').execute();
    return rows.map((r) => r.job_id);
  }

  async job(jobId: string): Promise<JobSpec | undefined> {
    const known = this.specs.get(jobId);
    if (known) return known;
    const row = await this.db.selectFrom('jobs').select('spec').where('job_id', '=', jobId).executeTakeFirst();
    if (!row) return undefined;
    const spec = JSON.parse(row.spec) as JobSpec;
    this.specs.set(jobId, spec);
    return spec;
  }

  /** The job's latest round, if any. */
  async currentRound(jobId: string): Promise<RoundRecord | undefined> {
    return (await this.latest(jobId, 1))[0];
  }

  /** The job's latest `count` rounds, latest first (fewer while the job has fewer). */
  async latest(jobId: string, count = 2): Promise<RoundRecord[]> {
    const rows = await this.db.selectFrom('rounds').selectAll().where('job_id', '=', jobId).orderBy('round', 'desc').limit(count).execute();
    return rows.map(toRound);
  }

  async round(jobId: string, round: number): Promise<RoundRecord | undefined> {
    const row = await this.db.selectFrom('rounds').selectAll().where('job_id', '=', jobId).where('round', '=', round).executeTakeFirst();
    return row ? toRound(row) : undefined;
  }

  /** At most `limit` of the job's rounds from round `from` on, in order. */
  async roundsFrom(jobId: string, from: number, limit: number): Promise<RoundRecord[]> {
    const rows = await this.db.selectFrom('rounds').selectAll().where('job_id', '=', jobId).where('round', '>=', from).orderBy('round').limit(limit).execute();
    return rows.map(toRound);
  }

  /** Who sent the accepted updates of rounds `from` to `to`, by round, oldest first. */
  async senders(jobId: string, from: number, to: number): Promise<Map<number, string[]>> {
    const rows = await this.db
      .selectFrom('updates')
      .select(['round', 'node_id'])
      .where('job_id', '=', jobId)
      .where('round', '>=', from)
      .where('round', '<=', to)
      .orderBy('round')
      .orderBy('received_at_ms')
      .orderBy('node_id')
      .execute();
    const out = new Map<number, string[]>();
    for (const row of rows) {
      const round = Number(row.round);
      const list = out.get(round);
      if (list) list.push(row.node_id);
      else out.set(round, [row.node_id]);
    }
    return out;
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

  /** An accepted update whose bytes are `hash`, if any. */
  async updateNamed(hash: string): Promise<{ jobId: string; round: number; nodeId: string } | undefined> {
    const row = await this.db.selectFrom('updates').select(['job_id', 'round', 'node_id']).where('update_hash', '=', hash).limit(1).executeTakeFirst();
    return row && { jobId: row.job_id, round: Number(row.round), nodeId: row.node_id };
  }

  /** A round whose model is `hash`, if any. */
  async modelNamed(hash: string): Promise<{ jobId: string; round: number } | undefined> {
    const row = await this.db.selectFrom('rounds').select(['job_id', 'round']).where('new_model_hash', '=', hash).orderBy('round').limit(1).executeTakeFirst();
    return row && { jobId: row.job_id, round: Number(row.round) };
  }

  /** What an update would meet, read without locks: lets a stream be refused before its bytes are read. */
  precheck(jobId: string, round: number, nodeId: string, updateHash: string): Promise<AcceptOutcome | undefined> {
    return priorSubmission(this.db, jobId, round, nodeId, updateHash);
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
      const prior = await priorSubmission(trx, update.jobId, update.round, update.nodeId, update.updateHash);
      if (prior) return prior;
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

  /**
   * Sets fields of a round at `attempt` that is in one of the states `from`
   * (every state change and edit of a round goes through here). False when
   * the round was not there.
   */
  private async transition(db: Db, jobId: string, round: number, attempt: number, from: readonly RoundStateName[], set: Updateable<AggregatorDb['rounds']>): Promise<boolean> {
    const updated = await db
      .updateTable('rounds')
      .set(set)
      .where('job_id', '=', jobId)
      .where('round', '=', round)
      .where('attempt', '=', attempt)
      .where('state', 'in', from)
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
      (trx) => this.transition(trx, jobId, round, attempt, ['open'], { state: 'closed', closed_by: closedBy }),
      eventOf && (async (trx) => eventOf(await updatesIn(trx, jobId, round))),
    );
  }

  extend(jobId: string, round: number, attempt: number, deadlineMs: number, reason: string): Promise<boolean> {
    return this.transition(this.db, jobId, round, attempt, ['open'], { deadline_ms: deadlineMs, extended: true, failure: `extended: ${reason}` });
  }

  /** Fails an open or closed (not yet committed) round, with `event` in the outbox; it may be opened again from `retryAtMs`. */
  fail(jobId: string, round: number, attempt: number, reason: string, retryAtMs: number, event?: OutboxEvent): Promise<boolean> {
    return this.withEvent((trx) => this.transition(trx, jobId, round, attempt, RUNNING, { state: 'failed', failure: reason, retry_at_ms: retryAtMs }), event && (() => event));
  }

  /**
   * Fails an open or closed round that ran on a base model the chain will not
   * have, and deletes its updates (trained on that base) in the same
   * transaction; it may be opened again at once, on another base.
   */
  abandon(jobId: string, round: number, attempt: number, reason: string, event?: OutboxEvent): Promise<boolean> {
    return this.withEvent(async (trx) => {
      if (!(await this.transition(trx, jobId, round, attempt, RUNNING, { state: 'failed', failure: reason, retry_at_ms: this.clock(), result: null, new_model_hash: null }))) return false;
      await trx.deleteFrom('updates').where('job_id', '=', jobId).where('round', '=', round).execute();
      return true;
    }, event && (() => event));
  }

  /**
   * Stores a closed round's result, and with `model` the new model's bytes in
   * the same transaction: a model is never held without the round that keeps
   * it, so retention (store/retention.ts) cannot delete bytes identical to an
   * expired model between their storing and the round naming them. Returns
   * false, storing nothing, when the round is no longer closed at `attempt`.
   */
  async saveResult(jobId: string, round: number, attempt: number, result: StoredResult, model?: { readonly bytes: Uint8Array; readonly blobs: BlobStore }): Promise<boolean> {
    const saved = await this.db.transaction().execute(async (trx) => {
      if (!(await this.transition(trx, jobId, round, attempt, ['closed'], { result: JSON.stringify(result), new_model_hash: result.newModelHash }))) return false;
      if (model) await model.blobs.putIn(trx, result.newModelHash, model.bytes, 'parameters');
      return true;
    });
    if (saved && model) model.blobs.remember(result.newModelHash, model.bytes, 'parameters');
    return saved;
  }

  /** Marks a closed round committed at `height`, with `event` in the outbox. */
  commit(jobId: string, round: number, attempt: number, height: number, blockHash: string, event?: OutboxEvent): Promise<boolean> {
    return this.withEvent(
      (trx) => this.transition(trx, jobId, round, attempt, ['closed'], { state: 'committed', height, block_hash: blockHash, committed_at_ms: this.clock() }),
      event && (() => event),
    );
  }

  /** The outbox the state changes above write to. */
  outbox(): EventOutbox {
    return new EventOutbox(this.db);
  }

}
