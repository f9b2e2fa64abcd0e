/**
 * A training job as the aggregator needs it, read from the ledger's JSON
 * answer to QueryState("jobs/ID") (its JobRecord, the CreateJob under `spec`,
 * bytes in hex, enums by name). The reader takes the CreateJob fields in
 * camelCase or snake_case (or under a "job" key), hashes as hex or
 * base64, and the update encoding as 'float32' | 'DTYPE_FLOAT32' | 1 (and the
 * float16 / int8 equivalents), so that it reads what the ledger writes.
 */
import { fromHex, toHex } from '@learnchain/core';
import { parseRule, type Rule } from '@learnchain/aggregation';
import { updateEncodingNamed, type TensorSlice, type UpdateEncoding } from '@learnchain/model/encoding';

import { JobFormatError } from '../errors';

/** The job's aggregation rule as the chain states it (AggregationRule in chain.proto). */
export interface RuleSpec {
  readonly name: string;
  readonly params: Readonly<Record<string, number>>;
  readonly byzantineBudget: number;
  readonly normBound: number;
}

/** A blob a job names, which PutBlob may then store: its initial parameters, model definition or validation set. */
export interface NamedBlob {
  /** SHA-256 (hex). */
  readonly hash: string;
  readonly kind: 'parameters' | 'model' | 'dataset';
  /** The CreateJob field that names it. */
  readonly field: string;
}

export interface JobSpec {
  readonly jobId: string;
  /** SHA-256 (hex) of the initial flat float32 parameters: round 1's base model. */
  readonly initialModelHash: string;
  readonly rule: RuleSpec;
  readonly minTrainers: number;
  /** 0: every active trainer. */
  readonly maxTrainers: number;
  readonly roundDeadlineMs: number;
  /** Rounds to run; 0 for no limit. */
  readonly rounds: number;
  readonly encoding: UpdateEncoding;
  /** Tensor slices from the job's manifest; empty: the parameters are one tensor. */
  readonly tensors: readonly TensorSlice[];
  /** The blobs the job names. */
  readonly blobs: readonly NamedBlob[];
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function pick(object: Json, camel: string): unknown {
  const snake = camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return object[camel] ?? object[snake];
}

function hashOf(jobId: string, field: string, value: unknown): string {
  if (typeof value !== 'string') throw new JobFormatError(jobId, field, 'is missing');
  const hex = value.toLowerCase();
  if (fromHex(hex)?.length === 32) return hex;
  const raw = Buffer.from(value, 'base64');
  if (raw.length === 32) return toHex(new Uint8Array(raw));
  throw new JobFormatError(jobId, field, 'is not a 32-byte hash in hex or base64');
}

/** A hash field that may be absent (empty bytes on the wire): undefined then. */
function optionalHashOf(jobId: string, field: string, value: unknown): string | undefined {
  return value === undefined || value === null || value === '' ? undefined : hashOf(jobId, field, value);
}

function count(jobId: string, field: string, value: unknown, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw new JobFormatError(jobId, field, 'must be a non-negative integer');
  return n;
}

function encodingOf(jobId: string, value: unknown): UpdateEncoding {
  const found = updateEncodingNamed(value);
  if (!found) throw new JobFormatError(jobId, 'updateEncoding', `unknown encoding ${JSON.stringify(value)}`);
  return found;
}

function ruleSpecOf(jobId: string, value: unknown): RuleSpec {
  if (!isRecord(value) || typeof value['name'] !== 'string') throw new JobFormatError(jobId, 'rule.name', 'is missing');
  const params: Record<string, number> = {};
  const raw = pick(value, 'params');
  if (isRecord(raw)) {
    for (const [key, v] of Object.entries(raw)) {
      if (typeof v !== 'number') throw new JobFormatError(jobId, `rule.params.${key}`, 'must be a number');
      params[key] = v;
    }
  }
  const normBound = Number(pick(value, 'normBound') ?? 0);
  return { name: value['name'], params, byzantineBudget: count(jobId, 'rule.byzantineBudget', pick(value, 'byzantineBudget'), 0), normBound: Number.isFinite(normBound) ? normBound : 0 };
}

function tensorsOf(jobId: string, manifest: unknown): TensorSlice[] {
  if (!isRecord(manifest)) return [];
  const tensors = manifest['tensors'];
  if (!Array.isArray(tensors)) return [];
  return tensors.map((t: unknown, i) => {
    if (!isRecord(t)) throw new JobFormatError(jobId, `manifest.tensors[${i}]`, 'is not an object');
    const shape = Array.isArray(t['shape']) ? t['shape'] : [];
    const size = shape.reduce((a: number, d: unknown) => a * count(jobId, `manifest.tensors[${i}].shape`, d), 1);
    return { offset: count(jobId, `manifest.tensors[${i}].offset`, t['offset'], 0), size };
  });
}

/** A job as the ledger holds it: its description, and how far its rounds have come. */
export interface LedgerJob {
  readonly spec: JobSpec;
  /** The last round the ledger committed; 0 before the first. */
  readonly round: number;
}

/** Reads the ledger's JSON for a job; throws JobFormatError naming the field. */
export function parseJob(jobId: string, json: string): JobSpec {
  return ledgerJobOf(jobId, parseJson(jobId, json)).spec;
}

function parseJson(jobId: string, json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    throw new JobFormatError(jobId, 'json', 'is not JSON');
  }
}

/** Reads the ledger's JSON for a job with its committed rounds; throws JobFormatError naming the field. */
export function parseLedgerJob(jobId: string, json: string): LedgerJob {
  return ledgerJobOf(jobId, parseJson(jobId, json));
}

/** A job record from the ledger's list of jobs (QueryState "jobs"), already parsed; throws JobFormatError naming the field. */
export function ledgerJobOf(jobId: string, parsed: unknown): LedgerJob {
  return { spec: specOf(jobId, parsed), round: isRecord(parsed) && isRecord(parsed['spec']) ? count(jobId, 'round', parsed['round'], 0) : 0 };
}

function specOf(jobId: string, parsed: unknown): JobSpec {
  // The ledger answers with its JobRecord, whose `spec` is the CreateJob; a bare CreateJob (or one under `job`) reads too.
  const job = isRecord(parsed) && isRecord(parsed['spec']) ? parsed['spec'] : isRecord(parsed) && isRecord(parsed['job']) ? parsed['job'] : parsed;
  if (!isRecord(job)) throw new JobFormatError(jobId, 'job', 'is not an object');
  const minTrainers = count(jobId, 'minTrainers', pick(job, 'minTrainers'));
  if (minTrainers < 1) throw new JobFormatError(jobId, 'minTrainers', 'must be at least 1');
  const roundDeadlineMs = count(jobId, 'roundDeadlineMs', pick(job, 'roundDeadlineMs'));
  if (roundDeadlineMs < 1) throw new JobFormatError(jobId, 'roundDeadlineMs', 'must be positive');
  const initialModelHash = hashOf(jobId, 'initialParametersHash', pick(job, 'initialParametersHash') ?? pick(job, 'initialModelHash'));
  const blobs: NamedBlob[] = [{ hash: initialModelHash, kind: 'parameters', field: 'initial_parameters_hash' }];
  const modelHash = optionalHashOf(jobId, 'modelHash', pick(job, 'modelHash'));
  if (modelHash) blobs.push({ hash: modelHash, kind: 'model', field: 'model_hash' });
  const validation = pick(job, 'validation');
  const datasetHash = isRecord(validation) ? optionalHashOf(jobId, 'validation.datasetHash', pick(validation, 'datasetHash')) : undefined;
  if (datasetHash) blobs.push({ hash: datasetHash, kind: 'dataset', field: 'validation.dataset_hash' });
  return {
    jobId,
    initialModelHash,
    rule: ruleSpecOf(jobId, pick(job, 'rule')),
    minTrainers,
    maxTrainers: count(jobId, 'maxTrainers', pick(job, 'maxTrainers'), 0),
    roundDeadlineMs,
    rounds: count(jobId, 'rounds', pick(job, 'rounds'), 0),
    encoding: encodingOf(jobId, pick(job, 'updateEncoding')),
    tensors: tensorsOf(jobId, pick(job, 'manifest')),
    blobs,
  };
}

/** The @learnchain/aggregation rule of a job: its parameters, its Byzantine budget as f, its norm bound as a clipping pre-filter. */
export function ruleOf(spec: RuleSpec): Rule {
  return parseRule({
    name: spec.name,
    ...spec.params,
    ...(spec.name === 'fedavg' && spec.byzantineBudget === 0 ? {} : { f: spec.byzantineBudget }),
    ...(spec.normBound > 0 ? { normBound: { maxNorm: spec.normBound, action: 'clip' } } : {}),
  });
}

/**
 * What an aggregator does with a job it has no record of, by the ledger's
 * record: run it from its first round when the ledger has committed none;
 * leave it when it is finished, or when the ledger already committed rounds of
 * it (run by an aggregator whose records this one does not have: it holds
 * neither their models nor their updates, so it cannot go on from them).
 */
export type JobIntake = { readonly kind: 'run' } | { readonly kind: 'finished' } | { readonly kind: 'run-elsewhere'; readonly committed: number };

export function intakeOf(job: LedgerJob): JobIntake {
  if (job.round === 0) return { kind: 'run' };
  if (job.spec.rounds > 0 && job.round >= job.spec.rounds) return { kind: 'finished' };
  return { kind: 'run-elsewhere', committed: job.round };
}
