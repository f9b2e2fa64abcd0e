/**
 * A training job as a client submits it, shared by `learnchain job submit` and
 * the devnet: the aggregation rule for a Byzantine budget, the CreateJob body
 * naming the seeded initial parameters and the validation set by hash, signed
 * transactions committed with the signer's next nonce, and, once the job is
 * committed, the blobs it names stored with the aggregator (PutBlob takes only
 * those).
 */
import { checkBudget, parseRule } from '@learnchain/aggregation';
import { contentId, toHex, type Identity } from '@learnchain/core';
import { parameterBytes, signTx, type TxBodyInput } from '@learnchain/ledger';
import { buildModel, encodeDataset, loadMnist, subset, type Classifier, type UpdateEncoding } from '@learnchain/model';
import type { v1 } from '@learnchain/proto';

import { putBlob, type AggregatorClient } from '../devnet/blobs';
import { TxRefusedError } from './errors';
import { intFlag, numberFlag } from './flags';
import type { ValidatorApi } from './services';

/** The aggregation rules the ledger and aggregator know. */
export const RULES = ['fedavg', 'trimmed-mean', 'median', 'krum', 'multi-krum', 'geometric-median', 'centered-clipping', 'bulyan'] as const;

/** The pre-aggregation mixings a job may ask for (see @learnchain/aggregation's mixing). */
export const MIXINGS = ['none', 'nnm'] as const;

/** What picks a job's rule: its name, how many trainers take part, how many may be Byzantine, and its mixing. */
export interface RuleChoice {
  readonly rule: string;
  readonly trainers: number;
  readonly byzantine: number;
  /** `nnm`: each update is first replaced by the mean of its n − f nearest (helps robust rules on non-IID shards). */
  readonly mixing?: (typeof MIXINGS)[number];
}

/**
 * The job's aggregation rule: trimmed-mean trims just over f = max(1, K) per side; fedavg tolerates
 * none. Mixing, when asked for, is a parameter of any rule but fedavg (`mixing: 1` on chain).
 */
export function ruleFor(choice: RuleChoice): v1.AggregationRule {
  const rule = baseRule(choice);
  return choice.mixing === 'nnm' && rule.name !== 'fedavg' ? { ...rule, params: { ...rule.params, mixing: 1 } } : rule;
}

function baseRule(choice: RuleChoice): v1.AggregationRule {
  const f = choice.rule === 'fedavg' ? 0 : Math.max(1, choice.byzantine);
  switch (choice.rule) {
    case 'trimmed-mean':
      return { name: 'trimmed-mean', params: { beta: Math.min(0.49, (f + 0.5) / choice.trainers) }, byzantineBudget: f };
    case 'centered-clipping':
      // tau: the radius each update is clipped to around the running center (in parameter-norm units).
      return { name: 'centered-clipping', params: { tau: 1 }, byzantineBudget: f };
    case 'multi-krum':
      return { name: 'multi-krum', params: { m: Math.max(1, choice.trainers - f) }, byzantineBudget: f };
    default:
      return { name: choice.rule, params: {}, byzantineBudget: f };
  }
}

/**
 * The fewest updates a round of the rule can aggregate within its Byzantine budget (at most
 * `trainers`): a job's minimum below it would open rounds that can never close.
 */
export function minimumTrainers(rule: v1.AggregationRule, trainers: number): number {
  const parsed = parseRule({ name: rule.name, f: rule.byzantineBudget, ...rule.params });
  for (let n = 1; n <= trainers; n++) if (checkBudget(parsed, n).ok) return n;
  return trainers;
}

/** The default minimum of a round: half the trainers, and never fewer than the rule needs. */
export function defaultMinTrainers(rule: v1.AggregationRule, trainers: number): number {
  return Math.max(1, Math.ceil(trainers / 2), minimumTrainers(rule, trainers));
}

/** Everything a built-in MNIST job is shaped by. */
export interface JobSpec {
  readonly jobId: string;
  readonly model: 'mlp' | 'cnn';
  readonly alpha: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly momentum: number;
  /** Augmentation: pixels each training image may be moved by in x and y (0: none). */
  readonly maxShift: number;
  readonly validationSamples: number;
  /** Seeds the initial parameters. */
  readonly seed: number;
  readonly rule: v1.AggregationRule;
  readonly rounds: number;
  readonly minTrainers: number;
  readonly roundDeadlineMs: number;
  /** How trainers encode their updates; float32 when absent. */
  readonly encoding?: UpdateEncoding;
}

/** How trainers train and where the job's numbers start: the flags `job submit` and the devnet share. */
export type TrainingFlags = Pick<JobSpec, 'alpha' | 'epochs' | 'batchSize' | 'learningRate' | 'momentum' | 'maxShift' | 'validationSamples' | 'seed'>;

/** Parses the training flags, each within its bounds (throws UsageError naming the flag). */
export function trainingFlags(flags: ReadonlyMap<string, string>): TrainingFlags {
  return {
    alpha: numberFlag(flags, 'alpha', 0.5, 0.001, 1000),
    epochs: intFlag(flags, 'epochs', 2, 1, 100),
    batchSize: intFlag(flags, 'batch', 32, 1, 4096),
    learningRate: numberFlag(flags, 'lr', 0.05, 0, 10),
    momentum: numberFlag(flags, 'momentum', 0.9, 0, 0.999),
    maxShift: intFlag(flags, 'shift', 1, 0, 4),
    validationSamples: intFlag(flags, 'validation-samples', 1000, 1, 2000),
    seed: intFlag(flags, 'seed', 2, 0, 2 ** 31 - 1),
  };
}

const DTYPES: Record<UpdateEncoding, v1.DType> = { float32: 'DTYPE_FLOAT32', float16: 'DTYPE_FLOAT16', int8: 'DTYPE_INT8' };

/** A blob the job names, to store once the job is committed. */
export interface JobBlob {
  readonly bytes: Uint8Array;
  readonly kind: v1.BlobKind;
}

/** A job ready to sign: its CreateJob body and the blobs it names. */
export interface PreparedJob {
  readonly jobId: string;
  readonly body: v1.CreateJob;
  readonly model: Classifier;
  readonly initialHash: string;
  readonly validationHash: string;
  readonly blobs: readonly JobBlob[];
}

/** A job id from the model and the time: `mlp-mnist-<base36 ms>`. */
export function defaultJobId(model: string, nowMs: number): string {
  return `${model}-mnist-${nowMs.toString(36)}`;
}

/** The CreateJob body, naming the seeded initial parameters and a validation set drawn from the test split by hash. */
export function prepareJob(spec: JobSpec): PreparedJob {
  const model = buildModel(spec.model, { seed: spec.seed });
  const initial = parameterBytes(model.initialParams);
  const initialHash = contentId(initial);
  const { test } = loadMnist();
  const validationSet = encodeDataset(subset(test, Array.from({ length: Math.min(spec.validationSamples, test.count) }, (_, i) => i)));
  const validationHash = contentId(validationSet);
  const body: v1.CreateJob = {
    jobId: spec.jobId,
    model: spec.model,
    initialParametersHash: Buffer.from(initialHash, 'hex'),
    manifest: { tensors: model.manifest.entries.map((e) => ({ name: e.name, shape: [...e.shape], offset: e.offset })), totalElements: model.manifest.size },
    dataset: 'mnist',
    partition: `dirichlet:${spec.alpha}`,
    hyperParameters: { localEpochs: spec.epochs, batchSize: spec.batchSize, learningRate: spec.learningRate, momentum: spec.momentum, proximalMu: 0, maxShift: spec.maxShift },
    rule: spec.rule,
    // The loss is evaluated by every validator before it votes; only a non-finite loss is refused here.
    validation: { datasetHash: Buffer.from(validationHash, 'hex'), maxLoss: 0, maxLossIncrease: 0 },
    minTrainers: spec.minTrainers,
    maxTrainers: 0,
    roundDeadlineMs: spec.roundDeadlineMs,
    rounds: spec.rounds,
    updateEncoding: DTYPES[spec.encoding ?? 'float32'],
  };
  const blobs: JobBlob[] = [
    { bytes: initial, kind: 'BLOB_KIND_PARAMETERS' },
    { bytes: validationSet, kind: 'BLOB_KIND_DATASET' },
  ];
  return { jobId: spec.jobId, body, model, initialHash, validationHash, blobs };
}

/** Stores the blobs a committed job names with the aggregator. */
export async function storeJobBlobs(prepared: PreparedJob, aggregator: AggregatorClient): Promise<void> {
  for (const blob of prepared.blobs) await putBlob(aggregator, blob.bytes, blob.kind, prepared.jobId);
}

/** The signer's next nonce: the ledger's `nonces/<key>` plus one (1 for a key it has not seen). */
export async function nextNonce(validator: ValidatorApi, identity: Identity): Promise<number> {
  const last = await validator.queryOptional<number>(`nonces/${toHex(identity.publicKey)}`);
  return (typeof last === 'number' ? last : 0) + 1;
}

/** What a committed transaction became. */
export interface CommittedTx {
  readonly txHash: string;
  readonly height: number;
  readonly nonce: number;
}

/** Signs `body` with the signer's next nonce, sends it and waits for its block; throws TxRefusedError when the ledger refused it. */
export async function commitTx(validator: ValidatorApi, identity: Identity, chainId: string, body: TxBodyInput, deadlineMs = 60_000): Promise<CommittedTx> {
  const nonce = await nextNonce(validator, identity);
  const tx = signTx(identity, chainId, nonce, body);
  const answer = await validator.broadcast(tx, 'TX_WAIT_COMMIT', { deadlineMs });
  const kind = Object.keys(body)[0] ?? 'unknown';
  if (!answer.accepted) throw new TxRefusedError(kind, answer.reason, answer.height);
  return { txHash: toHex(answer.txHash), height: answer.height, nonce };
}
