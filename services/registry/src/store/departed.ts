/**
 * Forgetting what departed: members that left or failed long enough ago, and
 * the membership changes that old. Without it, every trainer that ever started
 * on a fresh key stays a row, and every join, leave and lapse a change, for as
 * long as the registry runs.
 *
 * A change goes only once published (and recorded on chain, when the registry
 * records membership there). Watch resumes from an epoch; once changes are
 * deleted, `compacted_epoch` says from which epoch on the feed is whole.
 */
import { sql, type Kysely } from '@learnchain/storage';

import type { RegistryDb } from './schema';

export interface ForgetOptions {
  /** Departures, and changes, before this time go. */
  readonly beforeMs: number;
  /** Whether changes must be recorded on chain before they go (the registry records membership there). */
  readonly recordsOnChain: boolean;
  /** The most rows of each kind deleted in one call. */
  readonly limit: number;
}

export interface Forgotten {
  readonly members: number;
  readonly changes: number;
}

/** Deletes departed members and old changes, at most `limit` of each, and raises the compacted epoch past the changes deleted. */
export async function forgetDeparted(db: Kysely<RegistryDb>, options: ForgetOptions): Promise<Forgotten> {
  const { beforeMs, recordsOnChain, limit } = options;
  return db.transaction().execute(async (tx) => {
    const departed = tx
      .selectFrom('members')
      .select('node_id')
      .where('status', 'in', ['left', 'failed'])
      .where('lease_expires_at', '<', beforeMs)
      .limit(limit);
    // The conditions again on the rows deleted: a member that joined again meanwhile stays.
    const members = await tx
      .deleteFrom('members')
      .where('node_id', 'in', departed)
      .where('status', 'in', ['left', 'failed'])
      .where('lease_expires_at', '<', beforeMs)
      .executeTakeFirst();
    // Oldest epochs first: what goes is a prefix of the feed as far as it can be.
    let old = tx.selectFrom('membership_changes').select('epoch').where('at_ms', '<', beforeMs).where('published', '=', true).orderBy('epoch').limit(limit);
    if (recordsOnChain) old = old.where('submitted', '=', true);
    const changes = await tx.deleteFrom('membership_changes').where('epoch', 'in', old).returning('epoch').execute();
    if (changes.length > 0) {
      const last = Math.max(...changes.map((c) => Number(c.epoch)));
      await tx
        .updateTable('registry_meta')
        .set({ compacted_epoch: sql<number>`greatest(compacted_epoch, ${last})` })
        .where('id', '=', 1)
        .execute();
    }
    return { members: Number(members.numDeletedRows), changes: changes.length };
  });
}

/** The epoch up to which changes may have been deleted (0: none were). */
export async function compactedEpoch(db: Kysely<RegistryDb>): Promise<number> {
  const row = await db.selectFrom('registry_meta').select('compacted_epoch').where('id', '=', 1).executeTakeFirst();
  return Number(row?.compacted_epoch ?? 0);
}
