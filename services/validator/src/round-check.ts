/**
 * What a validator needs to check a round's model before it votes: updates
 * decoded as trainers upload them (@learnchain/model/encoding), and the new
 * model's loss on the job's committed validation set (fetched once per set
 * from the aggregator), computed on the evaluation thread (or, without
 * round-check threads, on the calling one).
 */
import { SizedLru, toHex, untilAborted } from '@learnchain/core';
import type { BlobSource, JobRecord, ModelEvaluator, UpdateContext } from '@learnchain/ledger';
import { builtModel, decodeDataset, evaluate, type Dataset, type Evaluation, type SessionConfig } from '@learnchain/model';
import { decodeUpdate, flatLayout, isUpdateEncoding, layoutOf, UPDATE_HEADER_BYTES, type ParameterLayout, type TensorSlice } from '@learnchain/model/encoding';

import { DATASETS_KEPT } from './evaluation-thread';

function count(value: unknown): number | undefined {
  const n = typeof value === 'bigint' || typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/**
 * The tensors of the job's committed manifest (CreateJob.manifest), each as
 * offset and element count; empty when the job states none or it is unreadable.
 */
export function tensorsOf(job: JobRecord): TensorSlice[] {
  const spec = job.spec as { readonly manifest?: { readonly tensors?: unknown } | null } | null;
  const tensors = spec !== null && typeof spec === 'object' ? spec.manifest?.tensors : undefined;
  if (!Array.isArray(tensors)) return [];
  const out: TensorSlice[] = [];
  for (const t of tensors as unknown[]) {
    const { shape, offset } = (t ?? {}) as { readonly shape?: unknown; readonly offset?: unknown };
    const dims = Array.isArray(shape) ? shape.map(count) : [];
    if (dims.some((d) => d === undefined)) return [];
    out.push({ offset: count(offset ?? 0) ?? 0, size: dims.reduce<number>((a, d) => a * (d ?? 0), 1) });
  }
  return out;
}

/** The layout the job's updates are encoded in, by the rule trainers and the aggregator follow. */
export function updateLayoutOf(job: JobRecord, size: number): ParameterLayout {
  return layoutOf(tensorsOf(job), size);
}

/**
 * The validators' UpdateDecoder: decodes an update as trainers upload it
 * (float32, float16, or int8 with a scale per tensor of the job's manifest)
 * with the same decoder the aggregator used, so the values re-aggregated here
 * are bit for bit the values it aggregated. Without a context the update is
 * read as one flat tensor of the count in its header.
 */
export function decodeUpdateBlob(bytes: Uint8Array, encoding: string, context?: UpdateContext, out?: Float32Array): Float32Array {
  if (!isUpdateEncoding(encoding)) throw new Error(`update encoding ${JSON.stringify(encoding)} is not float32, float16 or int8`);
  if (context) return decodeUpdate(bytes, updateLayoutOf(context.job, context.size), encoding, out);
  if (bytes.byteLength < UPDATE_HEADER_BYTES) throw new Error('update shorter than its header');
  const values = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  return decodeUpdate(bytes, flatLayout(values), encoding, out);
}

/** The job's model name from its canonical spec. */
export function modelNameOf(job: JobRecord): string {
  const spec = job.spec as { readonly model?: unknown } | null;
  return spec !== null && typeof spec === 'object' && typeof spec.model === 'string' && spec.model.length > 0 ? spec.model : 'mlp';
}

/** Where evaluations run: the EvaluationThread, or `inlineEvaluation` on the calling thread. */
export interface EvaluationRunner {
  evaluate(model: string, params: Float32Array, datasetKey: string, dataset: Dataset): Promise<Evaluation>;
}

/** Evaluations on the calling thread (onnxruntime blocks it for each batch). */
export function inlineEvaluation(sessions: SessionConfig = {}): EvaluationRunner {
  return { evaluate: (model, params, _datasetKey, dataset) => evaluate(builtModel(model), params, dataset, sessions) };
}

/**
 * Evaluates built-in models on dataset blobs fetched from `blobs` (the most recently used
 * few kept decoded, DATASETS_KEPT); an aborted check stops waiting for its evaluation.
 */
export class BlobModelEvaluator implements ModelEvaluator {
  private readonly datasets = new SizedLru<Promise<Dataset>>(DATASETS_KEPT);

  constructor(
    private readonly blobs: BlobSource,
    private readonly runner: EvaluationRunner,
  ) {}

  async evaluate(job: JobRecord, parameters: Float32Array, datasetHash: Uint8Array, signal?: AbortSignal): Promise<{ readonly loss: number }> {
    const key = toHex(datasetHash);
    let data = this.datasets.get(key);
    if (!data) {
      data = this.blobs.fetch(datasetHash, signal).then(decodeDataset);
      data.catch(() => this.datasets.delete(key));
      this.datasets.set(key, data, 1);
    }
    const { loss } = await untilAborted(this.runner.evaluate(modelNameOf(job), parameters, key, await untilAborted(data, signal)), signal);
    return { loss };
  }
}
