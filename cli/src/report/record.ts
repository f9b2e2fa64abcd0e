/**
 * A job as the chain tells it: its CreateJob, every RoundResult the ledger
 * accepted (with the block that carries it) or refused, and the blocks of its
 * span. Built with no I/O from the validator's GetBlock answers.
 */
import type { v1 } from '@learnchain/proto';

/** The job's parameters, from its committed CreateJob. */
export interface JobInfo {
  readonly jobId: string;
  readonly model: string;
  readonly dataset: string;
  readonly partition: string;
  readonly rule: string;
  readonly byzantineBudget: number;
  readonly rounds: number;
  readonly minTrainers: number;
  readonly encoding: string;
  readonly initialModelHash: string;
  readonly validationHash: string;
  readonly localEpochs: number;
  readonly height: number;
  readonly timeMs: number;
}

/** A RoundResult the ledger accepted, with the block that carries it. */
export interface CommittedRound {
  readonly round: number;
  readonly height: number;
  /** The block's time (its proposer's clock). */
  readonly blockTimeMs: number;
  readonly result: v1.RoundResult__Output;
}

/** A RoundResult the ledger refused, with its reason. */
export interface RefusedRound {
  readonly round: number;
  readonly height: number;
  readonly reason: string;
}

/** One block of the job's span. */
export interface BlockInfo {
  readonly height: number;
  readonly timeMs: number;
  readonly txs: number;
  /** RoundResults of this job in the block. */
  readonly roundResults: number;
  readonly proposer: string;
}

/** Everything the report draws from the chain. */
export interface JobRecordOnChain {
  readonly chainId: string;
  readonly job: JobInfo;
  readonly rounds: readonly CommittedRound[];
  readonly refused: readonly RefusedRound[];
  readonly blocks: readonly BlockInfo[];
}

/** Thrown when the blocks read hold no CreateJob for the job. */
export class JobNotOnChainError extends Error {
  constructor(readonly jobId: string) {
    super(`no CreateJob for job ${jobId} in the blocks read`);
  }
}

const hex = (bytes: Uint8Array | Buffer | null | undefined): string => (bytes ? Buffer.from(bytes).toString('hex') : '');

function jobInfo(body: v1.CreateJob__Output, height: number, timeMs: number): JobInfo {
  return {
    jobId: body.jobId,
    model: body.model,
    dataset: body.dataset,
    partition: body.partition,
    rule: body.rule?.name ?? '',
    byzantineBudget: body.rule?.byzantineBudget ?? 0,
    rounds: body.rounds,
    minTrainers: body.minTrainers,
    encoding: encodingWord(body.updateEncoding),
    initialModelHash: hex(body.initialParametersHash),
    validationHash: hex(body.validation?.datasetHash),
    localEpochs: body.hyperParameters?.localEpochs ?? 0,
    height,
    timeMs,
  };
}

/** 'DTYPE_FLOAT16' → 'float16'. */
export function encodingWord(dtype: string): string {
  return dtype.replace(/^DTYPE_/, '').toLowerCase() || 'float32';
}

/**
 * Collects the job from blocks in height order. The span is the job's
 * creation block to the block after its last round (or the last block read).
 */
export function collectJob(chainId: string, jobId: string, answers: Iterable<v1.GetBlockResponse__Output>): JobRecordOnChain {
  let job: JobInfo | undefined;
  const rounds: CommittedRound[] = [];
  const refused: RefusedRound[] = [];
  const blocks: BlockInfo[] = [];
  for (const answer of answers) {
    const header = answer.block?.header;
    if (!header) continue;
    const height = Number(header.height);
    const timeMs = Number(header.timeMs);
    let roundResults = 0;
    for (const [i, tx] of (answer.block?.txs ?? []).entries()) {
      const accepted = answer.outcomes[i]?.accepted ?? false;
      if (tx.body === 'createJob' && tx.createJob?.jobId === jobId && accepted && !job) job = jobInfo(tx.createJob, height, timeMs);
      if (tx.body !== 'roundResult' || tx.roundResult?.jobId !== jobId) continue;
      roundResults += 1;
      const round = Number(tx.roundResult.round);
      if (accepted) rounds.push({ round, height, blockTimeMs: timeMs, result: tx.roundResult });
      else refused.push({ round, height, reason: answer.outcomes[i]?.reason || 'no reason given' });
    }
    if (job) blocks.push({ height, timeMs, txs: answer.block?.txs.length ?? 0, roundResults, proposer: header.proposer });
  }
  if (!job) throw new JobNotOnChainError(jobId);
  rounds.sort((a, b) => a.round - b.round);
  return { chainId, job, rounds, refused, blocks };
}
