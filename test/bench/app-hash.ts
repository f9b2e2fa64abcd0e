// `npm run bench -- app-hash [--blocks N]`: what keeping the ledger's app hash current costs a validator per block,
// as the state grows — the ledger state's tree (leaves by the first two bytes of the key hash, 256 inner nodes) beside
// the flat scheme it replaced (256 buckets by the first byte, each bucket's sorted pairs hashed again whenever one of
// its keys changes, so a block of 256 writes or more hashed the whole state again). States of 10,000 to 400,000 keys;
// blocks of 10 and of 1,000 new keys; the two take turns block by block. Prints milliseconds per block (applying
// the writes and hashing) and the flat scheme's time over the tree's, then one JSON line.
import { encodeCanonical, sha256, type Canonical } from '../../packages/core/src/index';
import { LedgerState } from '../../packages/ledger/src/index';

const at = process.argv.indexOf('--blocks');
const BLOCKS = at > 0 ? Number(process.argv[at + 1]) : 6;
if (!Number.isSafeInteger(BLOCKS) || BLOCKS < 1) throw new Error('--blocks must be a positive integer');

const utf8 = new TextEncoder();

/** The baseline: the flat 256-bucket app hash. */
class FlatState {
  private readonly buckets = Array.from({ length: 256 }, () => new Map<string, Uint8Array>());
  private readonly hashes = Array.from({ length: 256 }, () => sha256(new Uint8Array(0)));
  private readonly dirty = new Set<number>();

  apply(writes: ReadonlyMap<string, Canonical>): void {
    for (const [key, value] of writes) {
      const b = sha256(utf8.encode(key))[0] as number;
      this.buckets[b]?.set(key, sha256(encodeCanonical(value)));
      this.dirty.add(b);
    }
  }

  appHash(): Uint8Array {
    for (const b of this.dirty) {
      const bucket = this.buckets[b] as Map<string, Uint8Array>;
      this.hashes[b] = sha256(encodeCanonical([...bucket.keys()].sort().map((k) => [k, bucket.get(k) as Uint8Array])));
    }
    this.dirty.clear();
    return sha256(...this.hashes);
  }
}

/** A job record as the ledger keeps one (about the size of the real ones). */
const record = (i: number): Canonical => ({ jobId: `job-${i}`, round: i % 1000, model: 'ab'.repeat(32), trainers: i % 97, createdAtMs: 1_700_000_000_000 + i });

function block(tag: string, size: number): Map<string, Canonical> {
  return new Map(Array.from({ length: size }, (_, i) => [`jobs/${tag}-${i}`, record(i)]));
}

type Figures = Record<string, Record<string, { tree_ms: number; flat_ms: number; flat_over_tree: number }>>;

function main(): void {
  const figures: Figures = {};
  for (const keys of [10_000, 100_000, 400_000]) {
    const tree = new LedgerState();
    const flat = new FlatState();
    for (let from = 0; from < keys; from += 10_000) {
      const writes = new Map(Array.from({ length: Math.min(10_000, keys - from) }, (_, i) => [`jobs/${from + i}`, record(from + i)] as const));
      tree.apply(writes);
      flat.apply(writes);
    }
    tree.appHash();
    flat.appHash();
    figures[keys] = {};
    for (const writes of [10, 1000]) {
      let treeMs = 0;
      let flatMs = 0;
      for (let n = 0; n < BLOCKS; n++) {
        const next = block(`${writes}-${n}`, writes);
        const t0 = performance.now();
        tree.apply(next);
        tree.appHash();
        const t1 = performance.now();
        flat.apply(next);
        flat.appHash();
        const t2 = performance.now();
        treeMs += t1 - t0;
        flatMs += t2 - t1;
      }
      const row = { tree_ms: Number((treeMs / BLOCKS).toFixed(3)), flat_ms: Number((flatMs / BLOCKS).toFixed(3)), flat_over_tree: Number((flatMs / treeMs).toFixed(1)) };
      figures[keys][writes] = row;
      console.log(`${keys} keys, blocks of ${writes} writes: tree ${row.tree_ms} ms, flat ${row.flat_ms} ms per block (${row.flat_over_tree}x)`);
    }
  }
  console.log(JSON.stringify({ ms_per_block: figures, blocks: BLOCKS }));
}

main();
