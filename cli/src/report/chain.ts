/**
 * Reads a job from a validator's public API: the ledger's job record for its
 * creation height, then every block from there (GetBlock, a few at a time) to
 * the block after its last round, or to the latest block while it runs.
 */
import type { v1 } from '@learnchain/proto';

import type { ValidatorApi } from '../client/services';
import type { JobRecordJson } from '../client/views';
import { collectJob, type JobRecordOnChain } from './record';

/** Blocks fetched at once. */
const BATCH = 16;

/** The job's record on chain, as one validator serves it. */
export async function readJobFromChain(validator: ValidatorApi, jobId: string): Promise<JobRecordOnChain> {
  const { value: job } = await validator.query<JobRecordJson>(`jobs/${jobId}`);
  const status = await validator.status();
  const latest = Number(status.latestHeight);
  const planned = job.spec.rounds ?? 0;
  const finished = planned > 0 && job.round >= planned;
  const answers: v1.GetBlockResponse__Output[] = [];
  let lastRoundHeight: number | undefined;
  for (let from = Math.max(1, job.createdHeight); from <= latest; from += BATCH) {
    const heights = Array.from({ length: Math.min(BATCH, latest - from + 1) }, (_, i) => from + i);
    const batch = await Promise.all(heights.map((h) => validator.block(h)));
    for (const answer of batch) {
      const height = Number(answer.block?.header?.height ?? 0);
      if (lastRoundHeight !== undefined && height > lastRoundHeight + 1) break;
      answers.push(answer);
      const last = answer.block?.txs.some((tx, i) => tx.body === 'roundResult' && tx.roundResult?.jobId === jobId && Number(tx.roundResult.round) === planned && answer.outcomes[i]?.accepted);
      if (finished && last) lastRoundHeight = height;
    }
    if (lastRoundHeight !== undefined && answers.length > 0 && Number(answers[answers.length - 1]?.block?.header?.height ?? 0) >= Math.min(latest, lastRoundHeight + 1)) break;
  }
  return collectJob(status.chainId, jobId, answers);
}
