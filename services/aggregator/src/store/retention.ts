/**
 * How long blobs a job made are kept.
 *
 * Updates: once a round is committed, no validator needs its updates again
 * (block sync checks commits, not rounds), and the chain keeps what each one
 * was: its hash, signer and credit. So the bytes of an update are deleted
 * once `keepRounds` later rounds of its job have committed — kept for audits
 * that long, not forever: at 10 trainers of an 800 KB model, a thousand
 * rounds would be 8 GB. A finished job has no later rounds: its last rounds'
 * updates are deleted `keepFinishedMs` after its last round committed (as the
 * aggregator's clock saw it). Update blobs that no update row names any more
 * (those of a failed attempt) go too.
 *
 * Models: a committed round's model is deleted once `models.keepRounds`
 * later rounds of its job have committed, unless its round is a checkpoint (a
 * multiple of `models.checkpointRounds`). A job's last model, its initial
 * one, the models of rounds not committed and those a running round is based
 * on are never deleted; the chain keeps every model's hash. A model that no
 * round and no job names (the result of an attempt that failed and was
 * opened again; initial parameters stored for a job this aggregator never
 * saw) is deleted once it has been stored `models.unnamedForMs`.
 *
 * A blob is deleted only under the lock of its row, and only if nothing that
 * keeps it names it after that lock is held: an upload of the same bytes
 * (content-addressed) locks that row when it finds it, and restarts its age,
 * so it either finds the blob gone and writes it again, or keeps it alive.
 */
import { SerialPasses } from '@learnchain/core';
import { sql, type Kysely } from '@learnchain/storage';

import type { BlobStore } from './blobs';
import type { AggregatorDb, Db } from './schema';

export interface RetentionOptions {
  readonly db: Kysely<AggregatorDb>;
  readonly blobs: BlobStore;
  /** Committed rounds of a job whose updates are kept (0: every update kept forever). */
  readonly keepRounds: number;
  /** How long after a finished job's last round committed its remaining updates are kept (ms). */
  readonly keepFinishedMs: number;
  /**
   * Committed rounds of a job whose models are kept (keepRounds 0: every model
   * kept), every `checkpointRounds`-th round's for good (0: none), and how long
   * a model nothing names is kept (ms).
   */
  readonly models?: { readonly keepRounds: number; readonly checkpointRounds: number; readonly unnamedForMs: number };
  readonly clock?: () => number;
  readonly onError: (error: unknown) => void;
}

/** Update blobs (of `among`, when given) that no kept update row names; jobs finished at `finishedBefore` or earlier keep none. */
function expiredUpdates(db: Db, keepRounds: number, finishedBefore: number, among?: readonly string[]) {
  const query = db
    .selectFrom('blobs as b')
    .select('b.hash')
    .where('b.kind', '=', 'update')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('updates as u')
            .select('u.node_id')
            .whereRef('u.update_hash', '=', 'b.hash')
            // kept: no round of its job `keepRounds` or more after it is committed yet
            .where((inner) =>
              inner.not(
                inner.exists(inner.selectFrom('rounds as r').select('r.round').whereRef('r.job_id', '=', 'u.job_id').where('r.state', '=', 'committed').where('r.round', '>=', sql<number>`u.round + ${keepRounds}`)),
              ),
            )
            // and its job not finished (its last round committed) by `finishedBefore`
            .where((inner) =>
              inner.not(
                inner.exists(
                  inner
                    .selectFrom('rounds as f')
                    .innerJoin('jobs as j', 'j.job_id', 'f.job_id')
                    .select('f.round')
                    .whereRef('f.job_id', '=', 'u.job_id')
                    .where('f.state', '=', 'committed')
                    .where('j.last_round', '>', 0)
                    .whereRef('f.round', '>=', 'j.last_round')
                    // committed before the aggregator kept the time (NULL): long ago
                    .where(sql<number>`coalesce(f.committed_at_ms, 0)`, '<=', finishedBefore),
                ),
              ),
            ),
        ),
      ),
    );
  return among ? query.where('b.hash', 'in', among) : query;
}

/** Whether round `r` (an alias) is committed and its model past the window: a round `keepRounds` or more after it committed, and it is no checkpoint. */
function modelExpired(r: 'r' | 'k', keepRounds: number, checkpointRounds: number) {
  const round = sql.ref(`${r}.round`);
  const checkpoint = checkpointRounds > 0 ? sql`and mod(${round}, ${checkpointRounds}) <> 0` : sql``;
  return sql<boolean>`(${sql.ref(`${r}.state`)} = 'committed' ${checkpoint} and exists (select 1 from rounds as l where l.job_id = ${sql.ref(`${r}.job_id`)} and l.state = 'committed' and l.round >= ${round} + ${keepRounds}))`;
}

/**
 * Model blobs (of `among`, when given) that a round past the window names, or
 * that no round names and were stored at `unnamedBefore` or earlier; and that
 * nothing keeping a model names.
 */
function expiredModels(db: Db, keepRounds: number, checkpointRounds: number, unnamedBefore: number, among?: readonly string[]) {
  const query = db
    .selectFrom('blobs as b')
    .select('b.hash')
    .where('b.kind', '=', 'parameters')
    .where((eb) =>
      eb.or([
        eb.exists(eb.selectFrom('rounds as r').select('r.round').whereRef('r.new_model_hash', '=', 'b.hash').where(modelExpired('r', keepRounds, checkpointRounds))),
        eb.and([
          eb('b.created_at_ms', '<=', unnamedBefore),
          // two lookups rather than one with `or`: each goes by its own index of rounds
          eb.not(eb.exists(eb.selectFrom('rounds as n').select('n.round').whereRef('n.new_model_hash', '=', 'b.hash'))),
          eb.not(eb.exists(eb.selectFrom('rounds as n').select('n.round').whereRef('n.base_model_hash', '=', 'b.hash'))),
        ]),
      ]),
    )
    // not the model of a round that keeps it (within the window, a checkpoint, not committed: a job's last is always within)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('rounds as k').select('k.round').whereRef('k.new_model_hash', '=', 'b.hash').where(sql<boolean>`not ${modelExpired('k', keepRounds, checkpointRounds)}`))))
    // nor the base of a round not committed, nor a job's initial model
    .where((eb) => eb.not(eb.exists(eb.selectFrom('rounds as o').select('o.round').whereRef('o.base_model_hash', '=', 'b.hash').where('o.state', '<>', 'committed'))))
    .where((eb) => eb.not(eb.exists(eb.selectFrom('jobs as j').select('j.job_id').where(sql<string>`j.spec::jsonb ->> 'initialModelHash'`, '=', eb.ref('b.hash')))));
  return among ? query.where('b.hash', 'in', among) : query;
}

export class BlobRetention {
  private readonly passes: SerialPasses;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: RetentionOptions) {
    this.passes = new SerialPasses(async () => {
      await this.prune();
    }, options.onError);
  }

  /** After a round commits: deletes what fell out of the window, in the background (a call during a pass runs one more). */
  afterCommit(): void {
    if (this.prunes()) void this.passes.request();
  }

  /** Whether anything is ever deleted. */
  private prunes(): boolean {
    return this.options.keepRounds > 0 || (this.options.models?.keepRounds ?? 0) > 0;
  }

  /** Also looks every `tickMs` (a finished job's updates expire with no commit to prompt a pass), until `stop`. */
  start(tickMs: number): void {
    if (!this.prunes() || this.timer) return;
    this.timer = setInterval(() => void this.passes.request(), tickMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Resolves once no pass is running. */
  idle(): Promise<void> {
    return this.passes.idle();
  }

  /** Deletes the expired update and model blobs now; returns their hashes. */
  async prune(): Promise<string[]> {
    const { keepRounds, models } = this.options;
    const now = (this.options.clock ?? Date.now)();
    const deleted: string[] = [];
    if (keepRounds > 0) {
      const finishedBefore = now - this.options.keepFinishedMs;
      deleted.push(...(await this.deleteExpired((db, among) => expiredUpdates(db, keepRounds, finishedBefore, among))));
    }
    if (models && models.keepRounds > 0) {
      const unnamedBefore = now - models.unnamedForMs;
      deleted.push(...(await this.deleteExpired((db, among) => expiredModels(db, models.keepRounds, models.checkpointRounds, unnamedBefore, among))));
    }
    return deleted;
  }

  /** Deletes the blobs `expired` names, asked again under their rows' locks. */
  private async deleteExpired(expired: (db: Db, among?: readonly string[]) => { execute(): Promise<{ hash: string }[]> }): Promise<string[]> {
    const { db, blobs } = this.options;
    const deleted = await db.transaction().execute(async (trx) => {
      const candidates = (await expired(trx).execute()).map((r) => r.hash);
      if (candidates.length === 0) return [];
      // In one order, so that two replicas sharing the schema cannot each hold a lock the other waits for.
      await trx.selectFrom('blobs').select('hash').where('hash', 'in', candidates).orderBy('hash').forUpdate().execute();
      // Asked again under the locks: an upload of the same bytes that committed meanwhile keeps its blob.
      const still = (await expired(trx, candidates).execute()).map((r) => r.hash);
      await blobs.deleteIn(trx, still);
      return still;
    });
    blobs.forget(deleted);
    return deleted;
  }
}
