import { sha256, toHex, type Canonical } from '@learnchain/core';
import fc from 'fast-check';

import { LedgerState } from '../state';
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
  it('is the same for a state kept in memory across blocks and for one rebuilt from its rows', () => {
    const live = new LedgerState();
    for (let block = 0; block < 20; block++) {
      const writes = new Map<string, Canonical | null>();
      for (let i = 0; i < 30; i++) writes.set(`jobs/${block * 7 + i}`, { block, i });
      if (block % 3 === 2) writes.set(`jobs/${block * 7 - 5}`, null);
      live.apply(writes);
      live.appHash();
    }
    const rows = live.keys().map((key) => ({ key, value: live.bytesOf(key) as Uint8Array }));
    expect(rows.length).toBe(live.size);
    expect(toHex(LedgerState.fromRows(rows).appHash())).toBe(toHex(live.appHash()));
  });
});
