/**
 * What a validator needs to check a round's model before it votes: updates
 * decoded as trainers upload them, and the new model's loss on the job's
 * committed validation set (fetched once per set from the aggregator).
 */
import { toHex } from '@learnchain/core';
import type { BlobSource, JobRecord, ModelEvaluator } from '@learnchain/ledger';
import { buildModel, decodeDataset, evaluate, type Classifier, type Dataset } from '@learnchain/model';

const UPDATE_MAGIC = 0x3155434c; // "LCU1"
const UPDATE_HEADER_BYTES = 16;

/**
 * Decodes a float32 update as trainers upload it (magic "LCU1", tag 1, value
 * count, tensor count, then the values): the validators' UpdateDecoder.
 */
export function decodeUpdateBlob(bytes: Uint8Array, encoding: string): Float32Array {
  if (encoding !== 'float32') throw new Error(`update encoding ${encoding} is not verified by this validator`);
  if (bytes.byteLength < UPDATE_HEADER_BYTES) throw new Error('update shorter than its header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== UPDATE_MAGIC || view.getUint8(4) !== 1) throw new Error('not a float32 update');
  const count = view.getUint32(8, true);
  if (bytes.byteLength !== UPDATE_HEADER_BYTES + 4 * count) throw new Error(`update of ${bytes.byteLength} bytes does not hold ${count} float32 values`);
  return new Float32Array(bytes.slice(UPDATE_HEADER_BYTES).buffer);
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
