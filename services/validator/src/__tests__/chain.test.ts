/**
 * The chain's restart from its store: the validator sets it resumes with,
 * proposer priorities included, whether it advances them from the last sets
 * stored with a block or from genesis. And storing while the database fails
 * for a while: the blocks are stored once it answers again.
 */
import { createLogger, Identity, toHex } from '@learnchain/core';
import type { ValidatorSet } from '@learnchain/consensus';
import { parseGenesis } from '@learnchain/ledger';
import { openStorage, type Storage } from '@learnchain/storage';
import type { v1 } from '@learnchain/proto';

import { blockCodec, Chain, commitCodec } from '../chain';
import { BlockStore, type ValidatorDb } from '../store';
import { SETS_EVERY } from '../validator-sets';

jest.setTimeout(120_000);

const logger = createLogger({ service: 'validator', level: 'silent' });
// Unequal powers: priorities, and so proposers, move differently at every height.
const genesis = parseGenesis({ chainId: 'chain-test', validators: [1, 2, 5].map((power) => ({ publicKey: toHex(Identity.generate().publicKey), power })) });

/** An empty block of `height` as the wire decodes it. */
const block = (height: number): v1.Block__Output => blockCodec().decode(blockCodec().encode({ header: { chainId: genesis.chainId, height, timeMs: 1_000 + height } }));
const commit = (height: number): v1.Commit__Output => commitCodec().decode(commitCodec().encode({ height }));
const shape = (set: ValidatorSet | undefined): unknown => set?.validators.map((v) => [v.address, v.power, v.priority]);

describe('Chain restart', () => {
  let storage: Storage<ValidatorDb>;
  afterEach(() => storage?.close());

  it('resumes with the validator sets it had, from the last stored sets or, with none stored, from genesis', async () => {
    storage = await openStorage<ValidatorDb>({ url: 'pglite:memory', schema: 'validator' });
    const store = await BlockStore.create(storage);
    const live = await Chain.create(genesis, store, logger);
    const height = SETS_EVERY + 7;
    for (let h = 1; h <= height; h++) await live.commit(block(h), commit(h), live.setAt(h));
    await live.persisted();
    expect((await store.setsAtOrBelow(height))?.height).toBe(SETS_EVERY);

    const resumed = await Chain.create(genesis, store, logger);
    expect(resumed.tip.height).toBe(height);
    expect(shape(resumed.setAt(height + 1))).toEqual(shape(live.setAt(height + 1)));
    expect(shape(resumed.previousSet)).toEqual(shape(live.previousSet));

    await storage.db.deleteFrom('chain_validator_sets').execute();
    const replayed = await Chain.create(genesis, store, logger);
    expect(shape(replayed.setAt(height + 1))).toEqual(shape(live.setAt(height + 1)));
    expect(shape(replayed.previousSet)).toEqual(shape(live.previousSet));
  });
});

describe('Chain storing while the database fails', () => {
  let storage: Storage<ValidatorDb>;
  afterEach(() => storage?.close());

  it('stores every block once the database answers again, counting a write whose answer was lost as stored', async () => {
    storage = await openStorage<ValidatorDb>({ url: 'pglite:memory', schema: 'validator' });
    const store = await BlockStore.create(storage);
    const chain = await Chain.create(genesis, store, logger);
    const commitToStore = store.commit.bind(store);
    const faults = ['down', 'answer lost', 'down'];
    let calls = 0;
    // What pg throws when PostgreSQL restarts under a query.
    const restarting = (): Error => Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    store.commit = async (...args) => {
      calls += 1;
      const fault = faults.shift();
      if (fault === 'down') throw restarting();
      await commitToStore(...args);
      if (fault === 'answer lost') throw restarting();
    };
    const hashes: Uint8Array[] = [];
    for (let h = 1; h <= 4; h++) hashes.push((await chain.commit(block(h), commit(h), chain.setAt(h))).hash);
    await chain.persisted();
    expect(chain.persistedHeight).toBe(4);
    // Height 1: down, then stored with its answer lost (taken as stored); height 2: down, then stored; 3 and 4 at once.
    expect(calls).toBe(6);
    for (let h = 1; h <= 4; h++) expect((await store.block(h))?.hash).toEqual(hashes[h - 1]);
  });
});
