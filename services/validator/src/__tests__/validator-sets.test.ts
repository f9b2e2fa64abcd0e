import { makeValidatorSet, proposerAt, type ValidatorSet } from '@learnchain/consensus';
import { addressOfKey } from '@learnchain/ledger';
import fc from 'fast-check';

import type { StoredUpdate } from '../store';
import { advanceSets, restoredSets, SETS_EVERY, storedSets, storesSets, type ChainSets, type StoredSets } from '../validator-sets';

const keys = Array.from({ length: 8 }, (_, i) => new Uint8Array(32).fill(i + 1));
const hex = (key: Uint8Array): string => Buffer.from(key).toString('hex');
const genesis: ChainSets = { previous: undefined, current: makeValidatorSet(keys.slice(0, 4).map((k) => ({ address: addressOfKey(k), power: 10 }))) };

/** What decides a height's proposer: each validator's power and priority, in order. */
const shape = (set: ValidatorSet | undefined): unknown => set?.validators.map((v) => [v.address, v.power, v.priority]);

describe('validator sets across a restart', () => {
  it('are the same advanced from the last stored sets as advanced from genesis, at any height', () => {
    // Blocks that change the set: a power change, a newcomer, a removal (never the last validators).
    const change = fc.tuple(fc.integer({ min: 1, max: 3 * SETS_EVERY }), fc.integer({ min: 0, max: keys.length - 1 }), fc.integer({ min: 0, max: 40 }));
    fc.assert(
      fc.property(fc.array(change, { maxLength: 12 }), fc.integer({ min: 1, max: 3 * SETS_EVERY + 5 }), (raw, height) => {
        const changes = new Map<number, StoredUpdate[]>();
        for (const [at, k, power] of raw) changes.set(at, [{ publicKey: hex(keys[k] as Uint8Array), power: k < 2 ? Math.max(1, power) : power }]);
        // The validator stores the sets after each height SETS_EVERY divides, as JSON.
        let sets = genesis;
        let last: { height: number; sets: StoredSets } | undefined;
        for (let h = 1; h <= height; h++) {
          sets = advanceSets(sets, h - 1, h, changes);
          if (storesSets(h)) last = { height: h, sets: JSON.parse(JSON.stringify(storedSets(sets))) as StoredSets };
        }
        const resumed = advanceSets(last ? restoredSets(last.sets) : genesis, last?.height ?? 0, height, changes);
        const fromGenesis = advanceSets(genesis, 0, height, changes);
        expect(shape(resumed.current)).toEqual(shape(fromGenesis.current));
        expect(shape(resumed.previous)).toEqual(shape(fromGenesis.previous));
        expect(shape(sets.current)).toEqual(shape(fromGenesis.current));
        expect(proposerAt(resumed.current, 2)).toBe(proposerAt(fromGenesis.current, 2));
      }),
      { numRuns: 40 },
    );
  });

  it('are stored every SETS_EVERY heights', () => {
    expect([1, SETS_EVERY - 1, SETS_EVERY, SETS_EVERY + 1, 2 * SETS_EVERY].map(storesSets)).toEqual([false, false, true, false, true]);
  });
});
