/**
 * A training job as the trainer needs it, read from the ledger's JSON answer
 * to QueryState("jobs/ID"): its JobRecord, with the CreateJob under `spec`
 * (enums by name, bytes in hex). The reader also takes the CreateJob at the
 * top level or under `job`, fields in camelCase or snake_case, and the update
 * encoding as 'float32' | 'DTYPE_FLOAT32' | 1 (and the float16 / int8
 * equivalents), so that it reads what the ledger writes.
 *
 * Zero or absent hyper-parameters take the defaults below (proto3 has no
 * "absent" for numbers).
 */
import { updateEncodingNamed, type Manifest, type ManifestEntry, type UpdateEncoding } from '@learnchain/model';

import { JobFormatError } from './errors';
import type { PrivacyOptions } from './privacy';

/** What one round of local training needs from the job. */
export interface TrainingJob {
  readonly jobId: string;
  /** A built-in model name ('mlp', 'cnn'). */
  readonly model: string;
  readonly encoding: UpdateEncoding;
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly momentum: number;
  readonly proximalMu: number;
  /** Augmentation: each training image is translated by up to this many pixels in x and y (0: none). */
  readonly maxShift: number;
  /**
   * The parameter layout the job states (its ParameterManifest), which sets
   * the tensors of an int8 update's scales and the tensor count in every
   * update's header; absent when the job states none.
   */
  readonly manifest?: Manifest;
  /** Client-side clipping and noise, when the job asks for them (clip norm > 0). */
  readonly privacy?: PrivacyOptions;
}

/** Used when the job leaves a hyper-parameter at zero. */
export const JOB_DEFAULTS = { epochs: 1, batchSize: 32, lr: 0.05 } as const;

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function pick(object: Json, camel: string): unknown {
  const snake = camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return object[camel] ?? object[snake];
}

function numberOf(jobId: string, field: string, value: unknown, fallback: number, integer: boolean): number {
  if (value === undefined || value === null || value === 0 || value === '0') return fallback;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) throw new JobFormatError(jobId, field, 'must be a non-negative number');
  if (integer && !Number.isSafeInteger(n)) throw new JobFormatError(jobId, field, 'must be an integer');
  return n;
}

function encodingOf(jobId: string, value: unknown): UpdateEncoding {
  const found = updateEncodingNamed(value);
  if (!found) throw new JobFormatError(jobId, 'updateEncoding', `is an unknown encoding ${JSON.stringify(value)}`);
  return found;
}

function manifestOf(jobId: string, value: unknown): Manifest | undefined {
  if (!isRecord(value)) return undefined;
  const tensors = value['tensors'];
  if (!Array.isArray(tensors) || tensors.length === 0) return undefined;
  let size = 0;
  const entries: ManifestEntry[] = tensors.map((t: unknown, i) => {
    const field = `manifest.tensors[${i}]`;
    if (!isRecord(t)) throw new JobFormatError(jobId, field, 'is not an object');
    const shape = Array.isArray(t['shape']) ? t['shape'].map((d: unknown) => numberOf(jobId, `${field}.shape`, d, 0, true)) : [];
    const offset = numberOf(jobId, `${field}.offset`, t['offset'], 0, true);
    const count = shape.reduce((a, b) => a * b, 1);
    if (offset !== size) throw new JobFormatError(jobId, `${field}.offset`, `is ${offset}, expected ${size} (tensors are laid out one after another)`);
    size += count;
    return { name: typeof t['name'] === 'string' ? t['name'] : `t${i}`, shape, offset, size: count };
  });
  return { entries, size };
}

function privacyOf(jobId: string, value: unknown): { privacy?: PrivacyOptions } {
  if (!isRecord(value)) return {};
  const clipNorm = numberOf(jobId, 'privacy.clipNorm', pick(value, 'clipNorm'), 0, false);
  const noiseMultiplier = numberOf(jobId, 'privacy.noiseMultiplier', pick(value, 'noiseMultiplier'), 0, false);
  if (noiseMultiplier > 0 && clipNorm === 0) throw new JobFormatError(jobId, 'privacy.noiseMultiplier', 'needs a clip norm: σ is a multiple of it');
  return clipNorm > 0 ? { privacy: { clipNorm, noiseMultiplier } } : {};
}

function optionalManifest(manifest: Manifest | undefined): { manifest?: Manifest } {
  return manifest ? { manifest } : {};
}

/** Reads the ledger's JSON for a job; throws JobFormatError naming the field. */
export function parseTrainingJob(jobId: string, json: string): TrainingJob {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new JobFormatError(jobId, 'json', 'is not JSON');
  }
  const job = isRecord(parsed) && isRecord(parsed['spec']) ? parsed['spec'] : isRecord(parsed) && isRecord(parsed['job']) ? parsed['job'] : parsed;
  if (!isRecord(job)) throw new JobFormatError(jobId, 'job', 'is not an object');
  const model = pick(job, 'model');
  if (typeof model !== 'string' || model.length === 0) throw new JobFormatError(jobId, 'model', 'is missing');
  if (model === 'onnx') throw new JobFormatError(jobId, 'model', 'is an imported ONNX model, which this trainer does not train yet');
  const hp = pick(job, 'hyperParameters');
  const hyper: Json = isRecord(hp) ? hp : {};
  return {
    jobId,
    model,
    encoding: encodingOf(jobId, pick(job, 'updateEncoding')),
    epochs: numberOf(jobId, 'hyperParameters.localEpochs', pick(hyper, 'localEpochs'), JOB_DEFAULTS.epochs, true),
    batchSize: numberOf(jobId, 'hyperParameters.batchSize', pick(hyper, 'batchSize'), JOB_DEFAULTS.batchSize, true),
    lr: numberOf(jobId, 'hyperParameters.learningRate', pick(hyper, 'learningRate'), JOB_DEFAULTS.lr, false),
    momentum: numberOf(jobId, 'hyperParameters.momentum', pick(hyper, 'momentum'), 0, false),
    proximalMu: numberOf(jobId, 'hyperParameters.proximalMu', pick(hyper, 'proximalMu'), 0, false),
    maxShift: numberOf(jobId, 'hyperParameters.maxShift', pick(hyper, 'maxShift'), 0, true),
    ...optionalManifest(manifestOf(jobId, pick(job, 'manifest'))),
    ...privacyOf(jobId, pick(job, 'privacy')),
  };
}
