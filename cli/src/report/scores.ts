/**
 * Accuracy and loss of every committed model: each model is fetched by the
 * hash the chain names (a BlobSource checks the bytes hash to it) and
 * evaluated on the job's committed validation set, and for MNIST jobs also on
 * the 2,000-digit test split the devnet reports.
 */
import { errorDetailOf, toHex } from '@learnchain/core';
import type { BlobSource } from '@learnchain/ledger';
import { buildModel, decodeDataset, evaluate, loadMnist, type Dataset } from '@learnchain/model';
import { parametersOf } from '@learnchain/model/encoding';

import type { JobRecordOnChain } from './record';
import type { ScoreRow } from './rows';

const fromHex = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'));

/** The evaluation sets of a job, by label. */
export async function evaluationSets(record: JobRecordOnChain, blobs: BlobSource): Promise<{ label: string; data: Dataset }[]> {
  const sets: { label: string; data: Dataset }[] = [];
  if (record.job.validationHash) {
    const data = decodeDataset(await blobs.fetch(fromHex(record.job.validationHash)));
    sets.push({ label: `committed validation set (${data.count.toLocaleString('en-US')} samples)`, data });
  }
  if (record.job.dataset === 'mnist') {
    const test = loadMnist().test;
    sets.push({ label: `MNIST test split (${test.count.toLocaleString('en-US')} digits)`, data: test });
  }
  return sets;
}

/**
 * Scores of the initial model (round 0) and of every committed round's model,
 * on every set; the rounds whose model the aggregator deleted (its model
 * retention) are named in `deleted` and have no scores.
 */
export async function scoreModels(record: JobRecordOnChain, blobs: BlobSource): Promise<{ rows: ScoreRow[]; deleted: number[] }> {
  const model = buildModel(record.job.model, { seed: 0 });
  const sets = await evaluationSets(record, blobs);
  const models: { round: number; hash: string }[] = [{ round: 0, hash: record.job.initialModelHash }, ...record.rounds.map((r) => ({ round: r.round, hash: toHex(new Uint8Array(r.result.newModelHash)) }))];
  const rows: ScoreRow[] = [];
  const deleted: number[] = [];
  for (const m of models) {
    const bytes = await blobs.fetch(fromHex(m.hash)).catch((error: unknown) => {
      if (errorDetailOf(error)?.reason === 'deleted') return undefined;
      throw error;
    });
    if (!bytes) {
      deleted.push(m.round);
      continue;
    }
    const parameters = parametersOf(bytes);
    for (const set of sets) {
      const { accuracy, loss } = await evaluate(model, parameters, set.data);
      rows.push({ round: m.round, set: set.label, accuracy, loss });
    }
  }
  return { rows, deleted };
}
