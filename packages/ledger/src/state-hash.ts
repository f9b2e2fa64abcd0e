/**
 * The application hash of the ledger state, kept current at a cost that
 * follows a block's writes, not the size of the state: a fixed tree of
 * fan-out 256 over the SHA-256 of the keys.
 *
 * - leaf: the keys whose hash starts with the leaf's two bytes (65,536
 *   leaves); its hash covers its (key, value hash) pairs sorted by key;
 * - inner node: one per first byte; its hash covers its 256 leaves' hashes in order;
 * - root: the hash of the 256 inner nodes' hashes in order.
 *
 * A leaf with no keys hashes as one that never had any, so the root depends
 * only on the state, never on its history: a validator that rebuilt its state
 * from storage computes the root of those that kept it in memory. Writes
 * rehash the leaves they touch, those leaves' inner nodes and the root.
 */
import { encodeCanonical, sha256 } from '@learnchain/core';

const FAN_OUT = 256;
const HASH_BYTES = 32;
const utf8 = new TextEncoder();

/** `count` copies of a hash, end to end. */
function repeated(hash: Uint8Array, count: number): Uint8Array {
  const out = new Uint8Array(count * HASH_BYTES);
  for (let i = 0; i < count; i++) out.set(hash, i * HASH_BYTES);
  return out;
}

/** The hash of a leaf with no keys. */
const EMPTY_LEAF = sha256(encodeCanonical([]));
/** The leaf hashes of a state with no keys; an inner node hashes its 256 as one run of bytes. */
const EMPTY_LEAVES = repeated(EMPTY_LEAF, FAN_OUT * FAN_OUT);
const EMPTY_NODES = repeated(sha256(EMPTY_LEAVES.subarray(0, FAN_OUT * HASH_BYTES)), FAN_OUT);

/** The leaf of a key: the first two bytes of its hash. */
function leafOf(key: string): number {
  const hash = sha256(utf8.encode(key));
  return ((hash[0] as number) << 8) | (hash[1] as number);
}

/** A value hash as kept in a leaf: a one-byte string, a fifth of the memory of a Uint8Array of its own. */
const packed = (hash: Uint8Array): string => Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength).toString('latin1');
const unpacked = (hash: string): Uint8Array => new Uint8Array(Buffer.from(hash, 'latin1'));

function leafHash(leaf: ReadonlyMap<string, string>): Uint8Array {
  const keys = [...leaf.keys()].sort();
  return sha256(encodeCanonical(keys.map((k) => [k, unpacked(leaf.get(k) as string)])));
}

export class StateHash {
  /** Non-empty leaves: key → value hash (packed). */
  private readonly leaves = new Map<number, Map<string, string>>();
  /** Every leaf's hash as of the last `root()`, leaf by leaf (2 MiB). */
  private readonly leafHashes = EMPTY_LEAVES.slice();
  private readonly nodeHashes = EMPTY_NODES.slice();
  private readonly dirty = new Set<number>();
  private current: Uint8Array | undefined;

  /** Sets a key's value hash. */
  set(key: string, valueHash: Uint8Array): void {
    const index = leafOf(key);
    let leaf = this.leaves.get(index);
    if (!leaf) {
      leaf = new Map();
      this.leaves.set(index, leaf);
    }
    leaf.set(key, packed(valueHash));
    this.touch(index);
  }

  /** Removes a key (nothing when absent). */
  delete(key: string): void {
    const index = leafOf(key);
    const leaf = this.leaves.get(index);
    if (!leaf?.delete(key)) return;
    if (leaf.size === 0) this.leaves.delete(index);
    this.touch(index);
  }

  /** The root over every key set so far. */
  root(): Uint8Array {
    if (this.current) return this.current;
    const nodes = new Set<number>();
    for (const index of this.dirty) {
      const leaf = this.leaves.get(index);
      this.leafHashes.set(leaf ? leafHash(leaf) : EMPTY_LEAF, index * HASH_BYTES);
      nodes.add(index >> 8);
    }
    this.dirty.clear();
    const run = FAN_OUT * HASH_BYTES;
    for (const node of nodes) this.nodeHashes.set(sha256(this.leafHashes.subarray(node * run, (node + 1) * run)), node * HASH_BYTES);
    this.current = sha256(this.nodeHashes);
    return this.current;
  }

  private touch(index: number): void {
    this.dirty.add(index);
    this.current = undefined;
  }
}
