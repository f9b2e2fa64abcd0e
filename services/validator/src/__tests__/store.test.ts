import { encodeCanonical, sha256, type Canonical } from '@learnchain/core';
import { openStorage, type Storage } from '@learnchain/storage';

import { describeWith, serviceUrl, uniqueName } from '../../../../test/support/services';
import { BlockStore, type BlockRow, type ValidatorDb } from '../store';
import type { StoredSets } from '../validator-sets';

jest.setTimeout(60_000);

function row(height: number): BlockRow {
  return {
    height,
    hash: new Uint8Array(32).fill(height),
    block: new Uint8Array([1, 2, height]),
    commit: new Uint8Array([3, height]),
    outcomes: [{ txHash: 'ab'.repeat(32), accepted: true, reason: '' }],
    updates: height === 2 ? [{ publicKey: 'cd'.repeat(32), power: 5 }] : [],
    appHash: new Uint8Array(32).fill(100 + height),
    timeMs: 1_000 * height,
    txCount: 1,
  };
}

const state = async (store: BlockStore): Promise<Record<string, string>> =>
  Object.fromEntries((await store.state()).values.map((e) => [e.key, Buffer.from(e.value).toString('hex')]));

function blockStoreSuite(open: (schema: string) => Promise<Storage<ValidatorDb>>): void {
  let storage: Storage<ValidatorDb>;
  let store: BlockStore;
  beforeEach(async () => {
    storage = await open(uniqueName('blocks'));
    store = await BlockStore.create(storage);
  });
  afterEach(() => storage.close());

  it('stores each block with the writes it caused: none, upserts, deletes, or both', async () => {
    await store.writeGenesis(new Map([['a', 1], ['b', 2], ['c', 3]]));
    await store.commit(row(1), new Map());
    await store.commit(row(2), new Map<string, number | string>([['a', 10], ['d', 'four']]));
    await store.commit(row(3), new Map([['b', null]]));
    await store.commit(row(4), new Map<string, number | null>([['c', null], ['d', 40], ['e', 5]]));
    const writes = new Map(Array.from({ length: 1500 }, (_, i) => [`many/${i}`, i] as const));
    await store.commit(row(5), writes);
    const entries = await state(store);
    expect(Object.keys(entries)).toHaveLength(3 + 1500);
    expect(entries).toMatchObject({ a: '030a', d: '0328', e: '0305', 'many/1499': '03db0b' });
    expect(entries.b).toBeUndefined();
    expect(entries.c).toBeUndefined();
    expect(await store.latestHeight()).toBe(5);
    expect(await store.block(2)).toEqual(row(2));
    expect(Object.fromEntries(await store.updatesFrom(0))).toEqual({ 2: [{ publicKey: 'cd'.repeat(32), power: 5 }] });
    expect(Object.fromEntries(await store.updatesFrom(3))).toEqual({});
  });

  it('gives the hash, not the value, of each archived record (a round record), and one value on demand', async () => {
    expect(await store.hasState()).toBe(false);
    const round = { jobId: 'j', round: 1, included: [{ nodeId: 'n', updateHash: new Uint8Array(32).fill(7) }] };
    await store.writeGenesis(new Map([['jobs/j', { jobId: 'j' }]]));
    expect(await store.hasState()).toBe(true);
    await store.commit(row(1), new Map<string, Canonical>([['jobs/j/rounds/1', round], ['jobs/j', { jobId: 'j', round: 1 }]]));
    const stored = await store.state();
    expect(stored.values.map((v) => v.key)).toEqual(['jobs/j']);
    expect(stored.archived).toEqual([{ key: 'jobs/j/rounds/1', hash: sha256(encodeCanonical(round)) }]);
    expect(await store.entry('jobs/j/rounds/1')).toEqual(round);
    expect(await store.entry('jobs/j/rounds/2')).toBeUndefined();
  });

  it('stores the validator sets given with a block, and gives the last stored at or below a height', async () => {
    const sets = (priority: number): StoredSets => ({ previous: null, current: [{ address: 'ab'.repeat(20), power: 3, priority }] });
    await store.commit(row(1), new Map(), sets(-5));
    await store.commit(row(2), new Map([['a', 1]]));
    await store.commit(row(3), new Map([['b', 2]]), sets(7));
    expect(await store.setsAtOrBelow(0)).toBeUndefined();
    expect(await store.setsAtOrBelow(2)).toEqual({ height: 1, sets: sets(-5) });
    expect(await store.setsAtOrBelow(9)).toEqual({ height: 3, sets: sets(7) });
    expect(await state(store)).toEqual({ a: '0301', b: '0302' });
  });

  it('stores nothing of a block whose height is stored already', async () => {
    await store.commit(row(1), new Map([['a', 1]]));
    await expect(store.commit(row(1), new Map<string, number | null>([['a', null], ['b', 2]]))).rejects.toThrow();
    expect(await state(store)).toEqual({ a: '0301' });
    expect((await store.block(1))?.hash).toEqual(row(1).hash);
  });
}

describe('BlockStore on PGlite', () => blockStoreSuite((schema) => openStorage({ url: 'pglite:memory', schema })));
describeWith(['postgres'], 'BlockStore on PostgreSQL', () => blockStoreSuite((schema) => openStorage({ url: serviceUrl('postgres'), schema })));
