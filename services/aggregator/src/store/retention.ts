/**
 * How long updates' bytes are kept. Once a round is committed, no validator
 * needs its updates again (block sync checks commits, not rounds), and the
 * chain keeps what each one was: its hash, signer and credit. So the bytes of
 * an update are deleted once `keepRounds` later rounds of its job have
 * committed — kept for audits that long, not forever: at 10 trainers of an
 * 800 KB model, a thousand rounds would be 8 GB. A finished job has no later
 * rounds: its last rounds' updates are deleted `keepFinishedMs` after its
 * last round committed (as the aggregator's clock saw it). Update blobs that
 * no update row names any more (those of a failed attempt) go too.
 *
 * A blob is deleted only under the lock of its row, and only if no update
 * still kept names it after that lock is held: an upload of the same bytes
 * (content-addressed) takes a share lock on that row when it finds it, so it
 * either finds the blob gone and writes it again, or keeps it alive.
 */
import { SerialPasses } from '@learnchain/core';
import { sql, type Kysely } from '@learnchain/storage';

import type { BlobStore } from './blobs';
import type { AggregatorDb, Db } from './schema';

export interface UpdateRetentionOptions {
  readonly db: Kysely<AggregatorDb>;
  readonly blobs: BlobStore;
  /** Committed rounds of a job whose updates are kept (0: every update kept forever). */
  readonly keepRounds: number;
  /** How long after a finished job's last round committed its remaining updates are kept (ms). */
  readonly keepFinishedMs: number;
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

export class UpdateRetention {
  private readonly passes: SerialPasses;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: UpdateRetentionOptions) {
    this.passes = new SerialPasses(async () => {
      await this.prune();
    }, options.onError);
  }

  /** After a round commits: deletes what fell out of the window, in the background (a call during a pass runs one more). */
  afterCommit(): void {
    if (this.options.keepRounds > 0) void this.passes.request();
  }

  /** Also looks every `tickMs` (a finished job's updates expire with no commit to prompt a pass), until `stop`. */
  start(tickMs: number): void {
    if (this.options.keepRounds === 0 || this.timer) return;
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

  /** Deletes the expired update blobs now; returns their hashes. */
  async prune(): Promise<string[]> {
    const { db, blobs, keepRounds } = this.options;
    if (keepRounds === 0) return [];
    const finishedBefore = (this.options.clock ?? Date.now)() - this.options.keepFinishedMs;
    const deleted = await db.transaction().execute(async (trx) => {
      const candidates = (await expiredUpdates(trx, keepRounds, finishedBefore).execute()).map((r) => r.hash);
      if (candidates.length === 0) return [];
      await trx.selectFrom('blobs').select('hash').where('hash', 'in', candidates).forUpdate().execute();
      // Asked again under the locks: an upload of the same bytes that committed meanwhile keeps its blob.
      const expired = (await expiredUpdates(trx, keepRounds, finishedBefore, candidates).execute()).map((r) => r.hash);
      await blobs.deleteIn(trx, expired);
      return expired;
    });
    blobs.forget(deleted);
    return deleted;
  }
}
