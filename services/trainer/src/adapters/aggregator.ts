/**
 * The Aggregator gRPC contract as the trainer's ModelSource (GetBlob, hash
 * verified) and UpdateSink (SubmitUpdate in bounded chunks). Message limits
 * are explicit on both directions of the channel.
 */
import { clientStream, createClient, errorDetailOf, serverStream } from '@learnchain/core';
import { contracts } from '@learnchain/proto';

import { readBlob } from '../blob';
import { RoundClosedError } from '../errors';
import type { ModelSource, SignedUpdate, SubmitReceipt, UpdateSink } from '../ports';
import { checkChunkSize, streamUpdate } from '../upload';

type AggregatorClient = InstanceType<ReturnType<typeof contracts>['aggregator']>;

export interface AggregatorAdapterOptions {
  /** host:port */
  readonly address: string;
  /** The largest data chunk of one upload message. */
  readonly chunkBytes: number;
  /** The largest gRPC message either way. */
  readonly maxMessageBytes: number;
  /** The largest blob accepted from GetBlob. */
  readonly maxBlobBytes: number;
  /** Per-call deadline of an upload or a blob read, in ms. */
  readonly callDeadlineMs?: number;
}

export class AggregatorAdapter implements ModelSource, UpdateSink {
  private readonly client: AggregatorClient;

  constructor(private readonly options: AggregatorAdapterOptions) {
    checkChunkSize(options.chunkBytes, options.maxMessageBytes);
    this.client = createClient(contracts().aggregator, options.address, { maxMessageBytes: options.maxMessageBytes });
  }

  private callOptions(signal?: AbortSignal) {
    return { deadlineMs: this.options.callDeadlineMs ?? 120_000, ...(signal ? { signal } : {}) };
  }

  async fetch(hash: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    const stream = serverStream(this.client, 'getBlob', { hash: Buffer.from(hash), chunkSize: this.options.chunkBytes }, this.callOptions(signal));
    return readBlob(stream, hash, this.options.maxBlobBytes);
  }

  async submit(update: SignedUpdate, signal?: AbortSignal): Promise<SubmitReceipt> {
    try {
      return await streamUpdate(clientStream(this.client, 'submitUpdate', this.callOptions(signal)), update, this.options.chunkBytes);
    } catch (error) {
      const detail = errorDetailOf(error);
      if (detail?.reason === 'round_closed') throw new RoundClosedError(update.header.jobId, update.header.round, detail.message);
      throw error;
    }
  }

  close(): void {
    this.client.close();
  }
}
