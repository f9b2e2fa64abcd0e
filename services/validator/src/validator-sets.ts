/**
 * The validator sets a restart resumes with: the set of the tip's height and
 * of the next, proposer priorities included. Priorities move at every height,
 * so the sets follow from genesis only by advancing them height by height;
 * the sets are therefore stored every SETS_EVERY heights with the block, and
 * a restart advances them from the last stored ones, not from genesis.
 */
import { makeValidatorSet, type ValidatorSet, type ValidatorUpdate } from '@learnchain/consensus';
import { fromHex } from '@learnchain/core';
import { coreUpdates, nextValidatorSet } from '@learnchain/ledger';

import type { StoredUpdate } from './store';

/** Heights between stored sets: a restart advances the sets through at most this many heights. */
export const SETS_EVERY = 1000;

/** A validator of a stored set. */
export interface StoredValidator {
  readonly address: string;
  readonly power: number;
  readonly priority: number;
}

/** The sets as of a committed height: that height's (none at genesis) and the next one's. */
export interface StoredSets {
  readonly previous: readonly StoredValidator[] | null;
  readonly current: readonly StoredValidator[];
}

/** The sets after a height's block: `previous` that height's, `current` the next one's. */
export interface ChainSets {
  readonly previous: ValidatorSet | undefined;
  readonly current: ValidatorSet;
}

const stored = (set: ValidatorSet): StoredValidator[] => set.validators.map((v) => ({ address: v.address, power: v.power, priority: v.priority }));

export function storedSets(sets: ChainSets): StoredSets {
  return { previous: sets.previous ? stored(sets.previous) : null, current: stored(sets.current) };
}

export function restoredSets(sets: StoredSets): ChainSets {
  return { previous: sets.previous ? makeValidatorSet(sets.previous) : undefined, current: makeValidatorSet(sets.current) };
}

/** Whether the sets after `height` are stored with its block. */
export function storesSets(height: number): boolean {
  return height % SETS_EVERY === 0;
}

/** Core updates of stored changes. */
function updatesOf(updates: readonly StoredUpdate[]): ValidatorUpdate[] {
  return coreUpdates(updates.map((u) => ({ publicKey: fromHex(u.publicKey) ?? new Uint8Array(0), power: u.power })));
}

/**
 * The sets after block `height`, advanced from the sets after block `from`
 * (genesis: `from` 0), `changes` holding each block's validator-set changes by
 * height (blocks without changes absent). The changes of block h take effect
 * at h + 2.
 */
export function advanceSets(start: ChainSets, from: number, height: number, changes: ReadonlyMap<number, readonly StoredUpdate[]>): ChainSets {
  let { previous, current } = start;
  for (let h = from + 1; h <= height; h++) {
    previous = current;
    current = nextValidatorSet(current, updatesOf(changes.get(h - 1) ?? []));
  }
  return { previous, current };
}
