/**
 * Blobs over an aggregator's gRPC API (PutBlob, GetBlob), the binary form of
 * a committed validation set, and the model evaluator the validators use to
 * check a round's loss on that set.
 */
import { clientStream, contentId, createClient, fromHex, serverStream, toHex } from '@learnchain/core';
import { BlobUnavailableError, collectBlob, type BlobSource, type JobRecord, type ModelEvaluator } from '@learnchain/ledger';
import { buildModel, evaluate, type Classifier, type Dataset } from '@learnchain/model';
import { contracts, type v1 } from '@learnchain/proto';

export type AggregatorClient = InstanceType<ReturnType<typeof contracts>['aggregator']>;

const MiB = 1024 * 1024;
const CHUNK = 512 * 1024;
const DATASET_MAGIC = 0x4c434453; // "LCDS"
const UPDATE_MAGIC = 0x3155434c; // "LCU1"
const UPDATE_HEADER_BYTES = 16;

/** A client of the aggregator's service with room for 1 MiB chunks. */
export function aggregatorClient(address: string): AggregatorClient {
  return createClient(contracts().aggregator, address, { maxMessageBytes: 8 * MiB });
}

/** Stores `bytes` with PutBlob; resolves to their content id (hex). */
export async function putBlob(client: AggregatorClient, bytes: Uint8Array, kind: v1.BlobKind): Promise<string> {
  const hash = contentId(bytes);
  const upload = clientStream(client, 'putBlob', { deadlineMs: 60_000 });
  for (let at = 0, first = true; first || at < bytes.byteLength; at += CHUNK, first = false) {
    const data = Buffer.from(bytes.subarray(at, Math.min(bytes.byteLength, at + CHUNK)));
    await upload.write(first ? { header: { hash: Buffer.from(hash, 'hex'), size: bytes.byteLength, kind }, data } : { data });
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
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for await (const chunk of stream) yield new Uint8Array((chunk as v1.BlobChunk__Output).data);
    }
    try {
      return await collectBlob(hash, chunks(), this.maxBytes);
    } catch (error) {
      if (error instanceof BlobUnavailableError) throw error;
      throw new BlobUnavailableError(toHex(hash), (error as Error).message);
    }
  }

  /** Fetches by hex id. */
  fetchHex(hash: string): Promise<Uint8Array> {
    return this.fetch(fromHex(hash) as Uint8Array);
  }
}

/**
 * Decodes a float32 update as trainers upload it (magic "LCU1", tag 1, value
 * count, tensor count, then the values): the validators' UpdateDecoder.
 */
export function decodeUpdateBlob(bytes: Uint8Array, encoding: string): Float32Array {
  if (encoding !== 'float32') throw new Error(`update encoding ${encoding} is not verified by this devnet`);
  if (bytes.byteLength < UPDATE_HEADER_BYTES) throw new Error('update shorter than its header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== UPDATE_MAGIC || view.getUint8(4) !== 1) throw new Error('not a float32 update');
  const count = view.getUint32(8, true);
  if (bytes.byteLength !== UPDATE_HEADER_BYTES + 4 * count) throw new Error(`update of ${bytes.byteLength} bytes does not hold ${count} float32 values`);
  return new Float32Array(bytes.slice(UPDATE_HEADER_BYTES).buffer);
}

/** Encodes a dataset: magic, count, classes, sample-shape rank and dims (u32 LE), float32 images, u8 labels. */
export function encodeDataset(data: Dataset): Uint8Array {
  const header = [DATASET_MAGIC, data.count, data.classes, data.sampleShape.length, ...data.sampleShape];
  const out = new Uint8Array(header.length * 4 + data.images.byteLength + data.labels.byteLength);
  const view = new DataView(out.buffer);
  header.forEach((v, i) => view.setUint32(i * 4, v, true));
  const imagesAt = header.length * 4;
  out.set(new Uint8Array(data.images.buffer, data.images.byteOffset, data.images.byteLength), imagesAt);
  out.set(data.labels, imagesAt + data.images.byteLength);
  return out;
}

/** Decodes what `encodeDataset` wrote; throws on a malformed blob. */
export function decodeDataset(bytes: Uint8Array): Dataset {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (i: number): number => view.getUint32(i * 4, true);
  if (bytes.byteLength < 16 || u32(0) !== DATASET_MAGIC) throw new Error('not a learnchain dataset blob');
  const count = u32(1);
  const classes = u32(2);
  const rank = u32(3);
  const sampleShape = Array.from({ length: rank }, (_, i) => u32(4 + i));
  const sample = sampleShape.reduce((a, b) => a * b, 1);
  const imagesAt = (4 + rank) * 4;
  const imagesBytes = count * sample * 4;
  if (bytes.byteLength !== imagesAt + imagesBytes + count) throw new Error('dataset blob has the wrong length');
  const images = new Float32Array(bytes.slice(imagesAt, imagesAt + imagesBytes).buffer);
  const labels = bytes.slice(imagesAt + imagesBytes);
  return { images, labels, count, sampleShape, classes };
}

/** The job's model name from its canonical spec. */
export function modelNameOf(job: JobRecord): string {
  const spec = job.spec as { readonly model?: unknown } | null;
  return spec !== null && typeof spec === 'object' && typeof spec.model === 'string' && spec.model.length > 0 ? spec.model : 'mlp';
}

const classifiers = new Map<string, Classifier>();

/** The built-in classifier by name (its definition; the seed only shapes initial parameters). */
export function classifier(name: string): Classifier {
  let c = classifiers.get(name);
  if (!c) {
    c = buildModel(name, { seed: 1 });
    classifiers.set(name, c);
  }
  return c;
}

/** Evaluates built-in models on dataset blobs fetched (once each) from `blobs`. */
export class BlobModelEvaluator implements ModelEvaluator {
  private readonly datasets = new Map<string, Promise<Dataset>>();

  constructor(private readonly blobs: BlobSource) {}

  async evaluate(job: JobRecord, parameters: Float32Array, datasetHash: Uint8Array, signal?: AbortSignal): Promise<{ readonly loss: number }> {
    const key = toHex(datasetHash);
    let data = this.datasets.get(key);
    if (!data) {
      data = this.blobs.fetch(datasetHash, signal).then(decodeDataset);
      data.catch(() => this.datasets.delete(key));
      this.datasets.set(key, data);
    }
    const { loss } = await evaluate(classifier(modelNameOf(job)), parameters, await data);
    return { loss };
  }
}
