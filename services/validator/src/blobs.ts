/**
 * Blobs for round verification, read from an aggregator's `GetBlob` stream.
 * What arrives is hashed as it streams and refused unless it hashes to the
 * name asked for; a blob that cannot be fetched makes the round unverifiable
 * (the validator does not vote for the block).
 */
import { createClient, serverStream, toHex } from '@learnchain/core';
import { BlobUnavailableError, collectBlob, type BlobSource } from '@learnchain/ledger';
import { contracts, type v1 } from '@learnchain/proto';

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
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for await (const chunk of stream) yield new Uint8Array((chunk as v1.BlobChunk__Output).data);
    }
    try {
      return await collectBlob(hash, chunks(), this.options.maxBlobBytes);
    } catch (error) {
      if (error instanceof BlobUnavailableError) throw error;
      throw new BlobUnavailableError(toHex(hash), (error as Error).message);
    }
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
