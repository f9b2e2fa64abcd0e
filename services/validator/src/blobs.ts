/**
 * Blobs for round verification, read from an aggregator's `GetBlob` stream
 * and kept in memory for a while (CachedBlobs). What arrives is hashed as it
 * streams and refused unless it hashes to the name asked for; a blob that
 * cannot be fetched makes the round unverifiable (the validator does not vote
 * for the block).
 */
import { createClient, serverStream, SizedLru, toHex, untilAborted } from '@learnchain/core';
import { blobFromStream, BlobUnavailableError, type BlobSource } from '@learnchain/ledger';
import { contracts } from '@learnchain/proto';

export interface AggregatorBlobsOptions {
  readonly address: string;
  readonly maxBlobBytes: number;
  readonly deadlineMs?: number;
}

/** A BlobSource over an aggregator's GetBlob. */
export class AggregatorBlobs implements BlobSource {
  private readonly client: InstanceType<ReturnType<typeof contracts>['aggregator']>;

  constructor(private readonly options: AggregatorBlobsOptions) {
    this.client = createClient(contracts().aggregator, options.address, { maxMessageBytes: 8 * 1024 * 1024 });
  }

  async fetch(hash: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    const stream = serverStream(this.client, 'GetBlob', { hash: Buffer.from(hash), chunkSize: 0 }, { deadlineMs: this.options.deadlineMs ?? 60_000, ...(signal ? { signal } : {}) });
    return blobFromStream(hash, stream, this.options.maxBlobBytes);
  }

  close(): void {
    this.client.close();
  }
}

/** The source of a validator that knows no aggregator: every fetch fails, so no round is voted for unverified. */
export const noBlobs: BlobSource = {
  fetch: async (hash) => {
    throw new BlobUnavailableError(toHex(hash), 'no aggregator configured (LEARNCHAIN_AGGREGATOR) to fetch blobs from');
  },
};

/** How a blob asked of the cache was served, for the metrics. */
export type BlobServed = 'cache' | 'in-flight' | 'source';

export interface CachedBlobsOptions {
  /** Bytes of blobs kept in memory (0: none kept; fetches still shared while in flight). */
  readonly capacityBytes: number;
  /** Background fetches (prefetch) at once, at most. */
  readonly prefetchConcurrency?: number;
  readonly onServed?: (how: BlobServed) => void;
  /** A prefetch that failed (the round check fetches it again, and decides). */
  readonly onPrefetchError?: (hash: string, error: unknown) => void;
}

/**
 * A BlobSource that remembers: blobs fetched, prefetched or kept (a model this
 * validator recomputed itself) stay in memory up to a byte budget, and a blob
 * asked for while it is being fetched waits for that fetch instead of starting
 * another. A round's updates are prefetched as the aggregator accepts them
 * (and at its close), and its new model is the next round's base, so a round check mostly
 * finds its blobs here. Everything kept was hashed to its name on the way in.
 */
export class CachedBlobs implements BlobSource {
  private readonly kept: SizedLru<Uint8Array>;
  private readonly fetching = new Map<string, Promise<Uint8Array>>();
  private readonly queued: Uint8Array[] = [];
  /** Blobs being prefetched now (a subset of `fetching`; its size bounds the background fetches). */
  private readonly prefetches = new Set<string>();

  constructor(
    private readonly source: BlobSource,
    private readonly options: CachedBlobsOptions,
  ) {
    this.kept = new SizedLru(options.capacityBytes);
  }

  fetch(hash: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    const key = toHex(hash);
    const kept = this.kept.get(key);
    if (kept) {
      this.options.onServed?.('cache');
      return Promise.resolve(kept);
    }
    const pending = this.fetching.get(key);
    this.options.onServed?.(pending ? 'in-flight' : 'source');
    // A prefetch that fails is not the check's verdict: the check then asks for the blob itself, once.
    const joined = pending && this.prefetches.has(key) ? pending.catch(() => this.fetching.get(key) ?? this.start(key, hash)) : pending;
    // A fetch may be shared: one caller giving up must not fail the others, so the caller's signal only ends its own wait.
    return untilAborted(joined ?? this.start(key, hash), signal, () => new BlobUnavailableError(key, 'the fetch was aborted'));
  }

  keep(hash: Uint8Array, bytes: Uint8Array): void {
    this.kept.set(toHex(hash), bytes, bytes.byteLength);
  }

  /** Drops blobs no check needs any longer (a committed round's updates and base); a fetch in flight is left to finish. */
  forget(hashes: readonly Uint8Array[]): void {
    for (const hash of hashes) this.kept.delete(toHex(hash));
  }

  /** Fetches what is neither kept nor being fetched, in the background, a few at a time (nothing when the cache keeps nothing). */
  prefetch(hashes: readonly Uint8Array[]): void {
    if (this.kept.capacity === 0) return;
    for (const hash of hashes) {
      const key = toHex(hash);
      if (!this.kept.has(key) && !this.fetching.has(key)) this.queued.push(hash);
    }
    this.drain();
  }

  /** Bytes held now. */
  get size(): number {
    return this.kept.size;
  }

  private drain(): void {
    while (this.prefetches.size < (this.options.prefetchConcurrency ?? 4) && this.queued.length > 0) {
      const hash = this.queued.shift() as Uint8Array;
      const key = toHex(hash);
      if (this.kept.has(key) || this.fetching.has(key)) continue;
      this.prefetches.add(key);
      this.start(key, hash)
        .catch((error: unknown) => this.options.onPrefetchError?.(key, error))
        .finally(() => {
          this.prefetches.delete(key);
          this.drain();
        });
    }
  }

  private start(key: string, hash: Uint8Array): Promise<Uint8Array> {
    const pending = this.source.fetch(hash).then((bytes) => {
      this.kept.set(key, bytes, bytes.byteLength);
      return bytes;
    });
    this.fetching.set(key, pending);
    const done = (): void => {
      this.fetching.delete(key);
    };
    pending.then(done, done);
    return pending;
  }
}
