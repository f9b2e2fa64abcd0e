import { LocalEventBus } from '@learnchain/bus';
import { createLogger, sha256, toHex } from '@learnchain/core';
import { BlobUnavailableError, type BlobSource, type Tx } from '@learnchain/ledger';

import { CachedBlobs, type BlobServed } from '../blobs';
import type { CommittedBlock } from '../chain';
import { releaseCommittedRounds, RoundPrefetch } from '../prefetch';

const logger = createLogger({ service: 'blobs-test', level: 'silent' });
const blob = (n: number, size = 8): Uint8Array => Uint8Array.from({ length: size }, (_, i) => (n * 31 + i) & 0xff);

/** A source over `blobs` that counts its fetches and answers only when released (or at once when `held` is false). */
function countingSource(blobs: Uint8Array[], held = false) {
  const byHash = new Map(blobs.map((b) => [toHex(sha256(b)), b]));
  const fetched: string[] = [];
  const waiting: (() => void)[] = [];
  const source: BlobSource = {
    fetch: async (hash) => {
      const key = toHex(hash);
      fetched.push(key);
      if (held) await new Promise<void>((resolve) => waiting.push(resolve));
      const found = byHash.get(key);
      if (!found) throw new BlobUnavailableError(key, 'not found');
      return found;
    },
  };
  const release = (): void => {
    for (const r of waiting.splice(0)) r();
  };
  return { source, fetched, release, waiting };
}

const until = async (condition: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(condition()).toBe(true);
};

describe('CachedBlobs', () => {
  it('fetches a blob once: later asks are served from memory, concurrent ones share the fetch', async () => {
    const a = blob(1);
    const { source, fetched, release } = countingSource([a], true);
    const served: BlobServed[] = [];
    const blobs = new CachedBlobs(source, { capacityBytes: 1024, onServed: (how) => served.push(how) });
    const first = blobs.fetch(sha256(a));
    const second = blobs.fetch(sha256(a));
    await until(() => fetched.length === 1);
    release();
    expect(Array.from(await first)).toEqual(Array.from(a));
    expect(Array.from(await second)).toEqual(Array.from(a));
    expect(Array.from(await blobs.fetch(sha256(a)))).toEqual(Array.from(a));
    expect(fetched).toHaveLength(1);
    expect(served).toEqual(['source', 'in-flight', 'cache']);
  });

  it('serves a kept blob (a model this validator recomputed) without asking the source', async () => {
    const { source, fetched } = countingSource([]);
    const blobs = new CachedBlobs(source, { capacityBytes: 1024 });
    const model = blob(2);
    blobs.keep(sha256(model), model);
    expect(Array.from(await blobs.fetch(sha256(model)))).toEqual(Array.from(model));
    expect(fetched).toHaveLength(0);
  });

  it('keeps no more than its byte budget, dropping the least recently used', async () => {
    const [a, b, c] = [blob(1, 40), blob(2, 40), blob(3, 40)];
    const { source, fetched } = countingSource([a, b, c] as Uint8Array[]);
    const blobs = new CachedBlobs(source, { capacityBytes: 100 });
    for (const x of [a, b, a, c]) await blobs.fetch(sha256(x as Uint8Array));
    expect(blobs.size).toBe(80);
    await blobs.fetch(sha256(a as Uint8Array)); // kept: used after b
    await blobs.fetch(sha256(b as Uint8Array)); // dropped for c: fetched again
    expect(fetched.map((h) => [a, b, c].findIndex((x) => toHex(sha256(x as Uint8Array)) === h))).toEqual([0, 1, 2, 1]);
  });

  it('does not remember a failed fetch: the next ask tries again', async () => {
    const a = blob(4);
    let fail = true;
    const fetched: string[] = [];
    const blobs = new CachedBlobs(
      {
        fetch: async (hash) => {
          fetched.push(toHex(hash));
          if (fail) throw new BlobUnavailableError(toHex(hash), 'aggregator away');
          return a;
        },
      },
      { capacityBytes: 1024 },
    );
    await expect(blobs.fetch(sha256(a))).rejects.toThrow('aggregator away');
    fail = false;
    expect(Array.from(await blobs.fetch(sha256(a)))).toEqual(Array.from(a));
    expect(fetched).toHaveLength(2);
  });

  it('one caller giving up does not fail another waiting on the same fetch', async () => {
    const a = blob(5);
    const { source, release } = countingSource([a], true);
    const blobs = new CachedBlobs(source, { capacityBytes: 1024 });
    const abort = new AbortController();
    const impatient = blobs.fetch(sha256(a), abort.signal);
    const patient = blobs.fetch(sha256(a));
    abort.abort();
    await expect(impatient).rejects.toBeInstanceOf(BlobUnavailableError);
    release();
    expect(Array.from(await patient)).toEqual(Array.from(a));
  });

  it('prefetches in the background, a few at a time, and a check then finds the blobs kept', async () => {
    const all = [1, 2, 3, 4, 5, 6].map((n) => blob(n));
    const { source, fetched, release, waiting } = countingSource(all, true);
    const served: BlobServed[] = [];
    const errors: string[] = [];
    const blobs = new CachedBlobs(source, { capacityBytes: 1024, prefetchConcurrency: 2, onServed: (how) => served.push(how), onPrefetchError: (hash) => errors.push(hash) });
    const missing = blob(99);
    blobs.prefetch([...all.map((b) => sha256(b)), sha256(all[0] as Uint8Array), sha256(missing)]);
    await until(() => waiting.length === 2);
    expect(fetched).toHaveLength(2); // at most two at once
    while (fetched.length < 7 || waiting.length > 0) {
      release();
      await new Promise((r) => setTimeout(r, 1));
    }
    await until(() => errors.length === 1);
    expect(errors).toEqual([toHex(sha256(missing))]);
    expect(fetched).toHaveLength(7); // the repeated hash once, the missing one tried
    for (const b of all) expect(Array.from(await blobs.fetch(sha256(b)))).toEqual(Array.from(b));
    expect(served.every((how) => how === 'cache')).toBe(true);
  });

  it('a check that joined a prefetch which failed fetches the blob itself', async () => {
    const a = blob(7);
    let calls = 0;
    const blobs = new CachedBlobs(
      {
        fetch: async (hash) => {
          calls += 1;
          await new Promise((r) => setTimeout(r, 5));
          if (calls === 1) throw new BlobUnavailableError(toHex(hash), 'connection reset');
          return a;
        },
      },
      { capacityBytes: 1024 },
    );
    blobs.prefetch([sha256(a)]);
    expect(Array.from(await blobs.fetch(sha256(a)))).toEqual(Array.from(a));
    expect(calls).toBe(2);
  });

  it('forgets blobs it was told no check needs: the next ask fetches again', async () => {
    const [a, b] = [blob(1), blob(2)];
    const { source, fetched } = countingSource([a, b]);
    const blobs = new CachedBlobs(source, { capacityBytes: 1024 });
    await blobs.fetch(sha256(a));
    await blobs.fetch(sha256(b));
    blobs.forget([sha256(a), sha256(blob(3))]);
    expect(blobs.size).toBe(b.byteLength);
    await blobs.fetch(sha256(a));
    await blobs.fetch(sha256(b));
    expect(fetched).toEqual([a, b, a].map((x) => toHex(sha256(x))));
  });

  it('prefetches nothing when it keeps nothing', async () => {
    const { source, fetched } = countingSource([blob(1)]);
    new CachedBlobs(source, { capacityBytes: 0 }).prefetch([sha256(blob(1))]);
    await new Promise((r) => setTimeout(r, 10));
    expect(fetched).toHaveLength(0);
  });
});

describe('RoundPrefetch', () => {
  it("prefetches the included updates of this chain's rounds as they close", async () => {
    const bus = await LocalEventBus.create({});
    const asked: string[][] = [];
    const prefetch = await RoundPrefetch.start({ bus, chainId: 'c1', blobs: { prefetch: (hashes) => asked.push(hashes.map(toHex)) }, logger });
    try {
      const closed = (chainId: string, hashes: Uint8Array[]) =>
        bus.publish('learnchain.round.closed', { chainId, jobId: 'j', round: 1, closedBy: 'quorum', included: hashes.map((h, i) => ({ nodeId: `n${i}`, updateHash: h })), excluded: [] });
      const [u1, u2, other] = [sha256(blob(1)), sha256(blob(2)), sha256(blob(3))];
      await closed('another-chain', [other]);
      await closed('c1', [u1, u2]);
      await until(() => asked.length === 1);
      expect(asked).toEqual([[toHex(u1), toHex(u2)]]);
    } finally {
      await prefetch.stop();
      await bus.close();
    }
  });

  it("prefetches each update of this chain's rounds as the aggregator accepts it", async () => {
    const bus = await LocalEventBus.create({});
    const asked: string[][] = [];
    const prefetch = await RoundPrefetch.start({ bus, chainId: 'c1', blobs: { prefetch: (hashes) => asked.push(hashes.map(toHex)) }, logger });
    try {
      const accepted = (chainId: string, hash: Uint8Array) => bus.publish('learnchain.update.accepted', { chainId, jobId: 'j', round: 1, nodeId: 'n1', updateHash: hash, size: 10 });
      const [u1, u2, other] = [sha256(blob(1)), sha256(blob(2)), sha256(blob(3))];
      await accepted('c1', u1);
      await accepted('another-chain', other);
      await accepted('c1', u2);
      await until(() => asked.length === 2);
      expect(asked).toEqual([[toHex(u1)], [toHex(u2)]]);
    } finally {
      await prefetch.stop();
      await bus.close();
    }
  });
});

describe('releaseCommittedRounds', () => {
  it("lets go of a committed round's updates (included and excluded) and base model, keeping its new model; of a refused round's new model too", async () => {
    const [u1, u2, base, model, other, dropped] = [1, 2, 3, 4, 5, 6].map((n) => sha256(blob(n)));
    const { source } = countingSource([1, 2, 3, 4, 5, 6].map((n) => blob(n)));
    const served: BlobServed[] = [];
    const blobs = new CachedBlobs(source, { capacityBytes: 1024, onServed: (how) => served.push(how) });
    /** Where each blob comes from when asked now (asking keeps it again). */
    const servedFrom = async (hashes: (Uint8Array | undefined)[]): Promise<BlobServed[]> => {
      served.length = 0;
      for (const h of hashes) await blobs.fetch(h as Uint8Array);
      return [...served];
    };
    await servedFrom([u1, u2, base, model, other, dropped]);
    let listener: ((block: CommittedBlock) => void) | undefined;
    const chain = { onBlock: (l: (block: CommittedBlock) => void) => ((listener = l), () => (listener = undefined)) };
    const unrelease = releaseCommittedRounds(chain, blobs);
    const roundResult = (included: (Uint8Array | undefined)[], baseModelHash: Uint8Array | undefined, newModelHash: Uint8Array | undefined, excluded: (Uint8Array | undefined)[] = []) =>
      ({
        kind: 'roundResult',
        body: { jobId: 'j', round: 1, included: included.map((h) => ({ updateHash: h })), excluded: excluded.map((h) => ({ updateHash: h })), baseModelHash, newModelHash },
      }) as unknown as Tx;
    const block = (tx: Tx, accepted: boolean) => ({ txs: [tx], outcomes: [{ accepted, reason: '' }] }) as unknown as CommittedBlock;

    // A straggler is excluded with no update hash.
    listener?.(block(roundResult([u1, u2], base, model, [dropped, new Uint8Array(0)]), true));
    expect(await servedFrom([u1, u2, base, model, other, dropped])).toEqual(['source', 'source', 'source', 'cache', 'cache', 'source']);
    listener?.(block(roundResult([], base, other), false));
    expect(await servedFrom([model, other])).toEqual(['cache', 'source']);
    unrelease();
    expect(listener).toBeUndefined();
  });
});
