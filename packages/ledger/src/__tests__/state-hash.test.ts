import { encodeCanonical, sha256, toHex, type Canonical } from '@learnchain/core';
import fc from 'fast-check';

import { ArchivedRecordError } from '../errors';
import { isArchivedKey } from '../records';
import { LedgerState, Overlay } from '../state';
import { StateHash } from '../state-hash';

const utf8 = new TextEncoder();

/** The root of a fresh tree holding exactly `entries`. */
function rootOf(entries: ReadonlyMap<string, Uint8Array>): string {
  const tree = new StateHash();
  for (const [key, hash] of entries) tree.set(key, hash);
  return toHex(tree.root());
}

/** Two keys whose hashes share their first two bytes: they live in one leaf. */
function keysOfOneLeaf(): [string, string] {
  const seen = new Map<string, string>();
  for (let i = 0; ; i++) {
    const key = `k/${i}`;
    const prefix = toHex(sha256(utf8.encode(key)).subarray(0, 2));
    const other = seen.get(prefix);
    if (other !== undefined) return [other, key];
    seen.set(prefix, key);
  }
}

describe('StateHash', () => {
  it('gives the root of the final state, whatever the order and history of the writes (deletes included)', () => {
    const key = fc.constantFrom(...Array.from({ length: 40 }, (_, i) => `key/${i}`));
    const write = fc.tuple(key, fc.option(fc.uint8Array({ minLength: 32, maxLength: 32 }), { nil: undefined }));
    fc.assert(
      fc.property(fc.array(fc.array(write, { maxLength: 12 }), { maxLength: 8 }), (blocks) => {
        const tree = new StateHash();
        const final = new Map<string, Uint8Array>();
        for (const block of blocks) {
          for (const [k, hash] of block) {
            if (hash === undefined) {
              tree.delete(k);
              final.delete(k);
            } else {
              tree.set(k, hash);
              final.set(k, hash);
            }
          }
          // Asked between blocks, as a validator does after each commit.
          tree.root();
        }
        expect(toHex(tree.root())).toBe(rootOf(final));
        expect(rootOf(new Map([...final].reverse()))).toBe(rootOf(final));
      }),
      { numRuns: 300 },
    );
  });

  it('hashes a leaf emptied by deletes as one never used, also when its keys share the leaf', () => {
    const [a, b] = keysOfOneLeaf();
    const tree = new StateHash();
    const empty = toHex(tree.root());
    tree.set(a, sha256(utf8.encode('1')));
    tree.set(b, sha256(utf8.encode('2')));
    const both = toHex(tree.root());
    tree.delete(a);
    expect(toHex(tree.root())).toBe(rootOf(new Map([[b, sha256(utf8.encode('2'))]])));
    expect(toHex(tree.root())).not.toBe(both);
    tree.delete(b);
    expect(toHex(tree.root())).toBe(empty);
  });

  it('changes with any key added or removed, or any value hash changed', () => {
    const entries = new Map<string, Uint8Array>(Array.from({ length: 50 }, (_, i) => [`key/${i}`, sha256(utf8.encode(String(i)))]));
    const base = rootOf(entries);
    const seen = new Set([base]);
    for (const [key, hash] of entries) {
      const changed = new Map(entries).set(key, sha256(hash));
      const removed = new Map(entries);
      removed.delete(key);
      for (const variant of [changed, removed]) {
        const root = rootOf(variant);
        expect(seen.has(root)).toBe(false);
        seen.add(root);
      }
    }
    expect(seen.has(rootOf(new Map(entries).set('key/new', sha256(utf8.encode('new')))))).toBe(false);
  });
});

describe('LedgerState app hash', () => {
  /** Blocks of writes: job records and round records, some deleted, some written again. */
  function blocks(): Map<string, Canonical | null>[] {
    return Array.from({ length: 20 }, (_, block) => {
      const writes = new Map<string, Canonical | null>();
      for (let i = 0; i < 30; i++) writes.set(`jobs/${block * 7 + i}`, { block, i });
      for (let i = 0; i < 5; i++) writes.set(`jobs/j${i}/rounds/${block + 1}`, { block, round: block + 1, included: [{ nodeId: `n${i}`, updateHash: new Uint8Array(32).fill(block) }] });
      if (block % 3 === 2) writes.set(`jobs/${block * 7 - 5}`, null);
      return writes;
    });
  }

  /** The rows a store keeps after `blocks`: every key's last value. */
  function storedRows(all: readonly Map<string, Canonical | null>[]): Map<string, Uint8Array> {
    const rows = new Map<string, Uint8Array>();
    for (const writes of all) for (const [key, value] of writes) value === null ? rows.delete(key) : rows.set(key, encodeCanonical(value));
    return rows;
  }

  it('is the same for a state kept in memory across blocks and for one rebuilt from its rows, archived records by their hash only', () => {
    const live = new LedgerState();
    const all = blocks();
    for (const writes of all) {
      live.apply(writes);
      live.appHash();
      live.release(writes);
    }
    const rows = [...storedRows(all)];
    const archived = rows.filter(([key]) => isArchivedKey(key));
    expect(archived.length).toBe(100);
    const rebuilt = LedgerState.fromRows(
      rows.filter(([key]) => !isArchivedKey(key)).map(([key, value]) => ({ key, value })),
      archived.map(([key, value]) => ({ key, hash: sha256(value) })),
    );
    expect(toHex(rebuilt.appHash())).toBe(toHex(live.appHash()));
    // Rebuilt with every value, the state hashes the same.
    expect(toHex(LedgerState.fromRows(rows.map(([key, value]) => ({ key, value }))).appHash())).toBe(toHex(live.appHash()));
  });
});

describe('archived records', () => {
  const round = (n: number): Canonical => ({ round: n });

  it('are held until released, then only hashed; execution may never read one', () => {
    const state = new LedgerState();
    const writes = new Map<string, Canonical | null>([
      ['jobs/a', { id: 'a' }],
      ['jobs/a/rounds/1', round(1)],
    ]);
    state.apply(writes);
    const before = toHex(state.appHash());
    expect(state.held('jobs/a/rounds/1')).toEqual(round(1));
    expect(() => state.get('jobs/a/rounds/1')).toThrow(ArchivedRecordError);
    expect(() => state.query('/jobs/a/rounds/1/')).toThrow(ArchivedRecordError);
    // Not even through pending writes that hold it.
    const overlay = new Overlay(state);
    overlay.set('jobs/a/rounds/2', round(2));
    expect(() => overlay.get('jobs/a/rounds/2')).toThrow(ArchivedRecordError);
    expect(overlay.get('jobs/a')).toEqual({ id: 'a' });
    state.release(writes);
    expect(state.held('jobs/a/rounds/1')).toBeUndefined();
    expect(state.get('jobs/a')).toEqual({ id: 'a' });
    expect(state.held('jobs/a')).toBeUndefined();
    expect(toHex(state.appHash())).toBe(before);
  });

  it('keeps a record written again after the writes being released', () => {
    const state = new LedgerState();
    const first = new Map<string, Canonical | null>([['jobs/a/rounds/1', round(1)]]);
    const second = new Map<string, Canonical | null>([['jobs/a/rounds/1', round(2)]]);
    state.apply(first);
    state.apply(second);
    state.release(first);
    expect(state.held('jobs/a/rounds/1')).toEqual(round(2));
    state.release(second);
    expect(state.held('jobs/a/rounds/1')).toBeUndefined();
  });

  it('are the records under a job\'s rounds, nothing else', () => {
    for (const key of ['jobs/a/rounds/1', 'jobs/job-1.x_y/rounds/120']) expect(isArchivedKey(key)).toBe(true);
    for (const key of ['jobs/a', 'jobs/a/rounds', 'jobs/a/rounds/x', 'jobs/a/b/rounds/1', 'members/a/rounds/1', 'xjobs/a/rounds/1', 'jobs/a/rounds/1/x']) expect(isArchivedKey(key)).toBe(false);
  });
});
