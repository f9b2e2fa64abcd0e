/**
 * The membership changes still to be recorded on chain, handed out in epoch
 * order under a lock that makes one registry replica the submitter at a time,
 * with the nonce of the registry's key kept beside them.
 */
import type { Kysely } from '@learnchain/storage';

import { toChange, type ChangeRecord } from './members';
import type { RegistryDb } from './schema';

export interface ChainBatch {
  readonly changes: readonly ChangeRecord[];
  /** The last nonce used; the first change takes lastNonce + 1. */
  readonly lastNonce: number;
}

export interface ChainBatchResult {
  /** Changes done with (recorded, or refused with a reason), by epoch. */
  readonly done: ReadonlyMap<number, string>;
  readonly lastNonce: number;
}

/** What one pass did: changes done with, and changes of its batch still pending. */
export interface ChainPass {
  readonly done: number;
  readonly left: number;
}

/**
 * Runs `submit` over the oldest unsubmitted changes while holding the submitter
 * lock. Another replica holding the lock: nothing done, nothing left here.
 */
export async function drainChainOutbox(db: Kysely<RegistryDb>, submit: (batch: ChainBatch) => Promise<ChainBatchResult>, limit = 64): Promise<ChainPass> {
  return db.transaction().execute(async (tx) => {
    const lock = await tx.selectFrom('chain_submission').select('last_nonce').where('id', '=', 1).forUpdate().skipLocked().executeTakeFirst();
    if (!lock) return { done: 0, left: 0 };
    const rows = await tx.selectFrom('membership_changes').selectAll().where('submitted', '=', false).orderBy('epoch').limit(limit).execute();
    if (rows.length === 0) return { done: 0, left: 0 };
    const result = await submit({ changes: rows.map(toChange), lastNonce: Number(lock.last_nonce) });
    for (const [epoch, outcome] of result.done) {
      await tx.updateTable('membership_changes').set({ submitted: true, chain_outcome: outcome }).where('epoch', '=', epoch).execute();
    }
    await tx.updateTable('chain_submission').set({ last_nonce: result.lastNonce }).where('id', '=', 1).execute();
    return { done: result.done.size, left: rows.length - result.done.size };
  });
}
