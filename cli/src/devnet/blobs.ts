/** Blobs over an aggregator's gRPC API (PutBlob, GetBlob). */
import { clientStream, contentId, createClient, fromHex, serverStream } from '@learnchain/core';
import { blobFromStream, type BlobSource } from '@learnchain/ledger';
import { contracts, type v1 } from '@learnchain/proto';

export type AggregatorClient = InstanceType<ReturnType<typeof contracts>['aggregator']>;

const MiB = 1024 * 1024;
const CHUNK = 512 * 1024;

/** A client of the aggregator's service with room for 1 MiB chunks. */
export function aggregatorClient(address: string): AggregatorClient {
  return createClient(contracts().aggregator, address, { maxMessageBytes: 8 * MiB });
}

/** Stores `bytes`, which the committed job `jobId` names, with PutBlob; resolves to their content id (hex). */
export async function putBlob(client: AggregatorClient, bytes: Uint8Array, kind: v1.BlobKind, jobId: string): Promise<string> {
  const hash = contentId(bytes);
  const upload = clientStream(client, 'putBlob', { deadlineMs: 60_000 });
  for (let at = 0, first = true; first || at < bytes.byteLength; at += CHUNK, first = false) {
    const data = Buffer.from(bytes.subarray(at, Math.min(bytes.byteLength, at + CHUNK)));
    await upload.write(first ? { header: { hash: Buffer.from(hash, 'hex'), size: bytes.byteLength, kind, jobId }, data } : { data });
  }
  await upload.finish();
  return hash;
}

/** A BlobSource over GetBlob: what arrives must hash to its name. */
export class GrpcBlobs implements BlobSource {
  constructor(
    private readonly client: AggregatorClient,
    private readonly maxBytes = 256 * MiB,
  ) {}

  async fetch(hash: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    const stream = serverStream(this.client, 'GetBlob', { hash: Buffer.from(hash), chunkSize: 0 }, { deadlineMs: 60_000, ...(signal ? { signal } : {}) });
    return blobFromStream(hash, stream, this.maxBytes);
  }

  /** Fetches by hex id. */
  fetchHex(hash: string): Promise<Uint8Array> {
    return this.fetch(fromHex(hash) as Uint8Array);
  }
}
