/**
 * The devnet's job: the seeded initial parameters and the validation set
 * stored with the aggregator (PutBlob), then a signed CreateJob sent to a
 * validator and waited on until it commits.
 */
import { createClient, Identity, unary } from '@learnchain/core';
import { parameterBytes, signTx } from '@learnchain/ledger';
import { buildModel, encodeDataset, loadMnist, subset, type Classifier } from '@learnchain/model';
import { contracts, type v1 } from '@learnchain/proto';

import { putBlob, type AggregatorClient } from './blobs';
import type { DevnetOptions } from './options';

/** What the committed job is. */
export interface SubmittedJob {
  readonly jobId: string;
  readonly model: Classifier;
  readonly initialHash: string;
  readonly validationHash: string;
  readonly height: number;
  readonly rule: v1.AggregationRule;
}

/** The job's aggregation rule: trimmed-mean trims just over f = max(1, K) per side; fedavg tolerates none. */
export function ruleFor(options: DevnetOptions): v1.AggregationRule {
  const f = options.rule === 'fedavg' ? 0 : Math.max(1, options.byzantine);
  switch (options.rule) {
    case 'trimmed-mean':
      return { name: 'trimmed-mean', params: { beta: Math.min(0.49, (f + 0.5) / options.trainers) }, byzantineBudget: f };
    case 'centered-clipping':
      // tau: the radius each update is clipped to around the running center (in parameter-norm units).
      return { name: 'centered-clipping', params: { tau: 1 }, byzantineBudget: f };
    case 'multi-krum':
      return { name: 'multi-krum', params: { m: Math.max(1, options.trainers - f) }, byzantineBudget: f };
    default:
      return { name: options.rule, params: {}, byzantineBudget: f };
  }
}

/** Stores the blobs and commits CreateJob; resolves once the block holding it is committed. */
export async function submitJob(options: DevnetOptions, chainId: string, aggregator: AggregatorClient, validator: string): Promise<SubmittedJob> {
  const model = buildModel(options.model, { seed: options.seed });
  const initialHash = await putBlob(aggregator, parameterBytes(model.initialParams), 'BLOB_KIND_PARAMETERS');
  const { test } = loadMnist();
  const validation = subset(test, Array.from({ length: Math.min(options.validationSamples, test.count) }, (_, i) => i));
  const validationHash = await putBlob(aggregator, encodeDataset(validation), 'BLOB_KIND_DATASET');
  const jobId = `${options.model}-mnist-${Date.now().toString(36)}`;
  const rule = ruleFor(options);
  const body: v1.CreateJob = {
    jobId,
    model: options.model,
    initialParametersHash: Buffer.from(initialHash, 'hex'),
    manifest: { tensors: model.manifest.entries.map((e) => ({ name: e.name, shape: [...e.shape], offset: e.offset })), totalElements: model.manifest.size },
    dataset: 'mnist',
    partition: `dirichlet:${options.alpha}`,
    hyperParameters: { localEpochs: options.epochs, batchSize: options.batchSize, learningRate: options.learningRate, momentum: options.momentum, proximalMu: 0 },
    rule,
    // The loss is evaluated by every validator before it votes; only a non-finite loss is refused here.
    validation: { datasetHash: Buffer.from(validationHash, 'hex'), maxLoss: 0, maxLossIncrease: 0 },
    minTrainers: Math.max(1, Math.ceil(options.trainers / 2)),
    maxTrainers: 0,
    roundDeadlineMs: 120_000,
    rounds: options.rounds,
    updateEncoding: 'DTYPE_FLOAT32',
  };
  const client = createClient(contracts().validator, validator);
  try {
    const tx = signTx(Identity.generate(), chainId, 1, { createJob: body });
    const answer = await unary(client, 'BroadcastTx', { tx, wait: 'TX_WAIT_COMMIT' }, { deadlineMs: 60_000 });
    if (!answer.accepted) throw new Error(`the ledger refused the job: ${answer.reason}`);
    return { jobId, model, initialHash, validationHash, height: Number(answer.height), rule };
  } finally {
    client.close();
  }
}
