/**
 * The devnet's job: a signed CreateJob sent to a validator and waited on until
 * it commits, then the seeded initial parameters and the validation set it
 * names stored with the aggregator (the same code as `learnchain job submit`,
 * in ../client/job.ts).
 */
import { Identity } from '@learnchain/core';
import type { Classifier } from '@learnchain/model';
import type { v1 } from '@learnchain/proto';

import { commitTx, defaultJobId, defaultMinTrainers, prepareJob, ruleFor, storeJobBlobs } from '../client/job';
import { ValidatorApi } from '../client/services';
import type { AggregatorClient } from './blobs';
import type { DevnetOptions } from './options';

export { ruleFor };

/** What the committed job is. */
export interface SubmittedJob {
  readonly jobId: string;
  readonly model: Classifier;
  readonly initialHash: string;
  readonly validationHash: string;
  readonly height: number;
  readonly rule: v1.AggregationRule;
}

/** Commits CreateJob, then stores the blobs it names; resolves once both are done. */
export async function submitJob(options: DevnetOptions, chainId: string, aggregator: AggregatorClient, validator: string): Promise<SubmittedJob> {
  const rule = ruleFor(options);
  const jobId = defaultJobId(options.model, Date.now());
  const prepared = prepareJob(
    {
      jobId,
      model: options.model,
      alpha: options.alpha,
      epochs: options.epochs,
      batchSize: options.batchSize,
      learningRate: options.learningRate,
      momentum: options.momentum,
      maxShift: options.maxShift,
      validationSamples: options.validationSamples,
      seed: options.seed,
      rule,
      rounds: options.rounds,
      minTrainers: defaultMinTrainers(rule, options.trainers),
      roundDeadlineMs: 120_000,
      encoding: options.encoding,
    },
  );
  const api = new ValidatorApi(validator);
  try {
    const committed = await commitTx(api, Identity.generate(), chainId, { createJob: prepared.body });
    await storeJobBlobs(prepared, aggregator);
    return { jobId, model: prepared.model, initialHash: prepared.initialHash, validationHash: prepared.validationHash, height: committed.height, rule };
  } finally {
    api.close();
  }
}
