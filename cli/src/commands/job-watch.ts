/**
 * Following a job on chain: polls a validator's QueryState for the job record
 * and reports each round the ledger committed, in order, until the job's last
 * round, an abort or a timeout.
 */
import { NotOnChainError } from '../client/errors';
import type { ValidatorApi } from '../client/services';
import { jobView, roundView, type JobRecordJson, type JobView, type RoundRecordJson, type RoundView } from '../client/views';
import { sleep } from '../client/sleep';

export interface FollowRoundsOptions {
  readonly api: ValidatorApi;
  readonly jobId: string;
  readonly intervalMs: number;
  readonly signal: AbortSignal;
  /** Gives up after this long (absent: never). */
  readonly timeoutMs?: number;
  readonly onRound: (round: RoundView) => void;
}

/** How following ended: the job's state then, and why it stopped. */
export interface FollowEnd {
  readonly job: JobView;
  readonly stopped: 'finished' | 'interrupted' | 'timeout';
}

/** Thrown when the job is not on chain. */
export class UnknownJobError extends Error {
  constructor(readonly jobId: string) {
    super(`job ${jobId} is not on chain`);
  }
}

/** Reports every committed round of the job from the first, then new ones as they commit. */
export async function followRounds(options: FollowRoundsOptions): Promise<FollowEnd> {
  const { api, jobId } = options;
  const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
  let reported = 0;
  for (;;) {
    let record: JobRecordJson;
    try {
      record = (await api.query<JobRecordJson>(`jobs/${jobId}`)).value;
    } catch (error) {
      if (error instanceof NotOnChainError) throw new UnknownJobError(jobId);
      throw error;
    }
    const job = jobView(record);
    while (reported < job.round) {
      const next = reported + 1;
      const round = await api.query<RoundRecordJson>(`jobs/${jobId}/rounds/${next}`);
      options.onRound(roundView(round.value, job.rounds));
      reported = next;
    }
    if (job.finished) return { job, stopped: 'finished' };
    if (options.signal.aborted) return { job, stopped: 'interrupted' };
    if (Date.now() >= deadline) return { job, stopped: 'timeout' };
    await sleep(Math.min(options.intervalMs, Math.max(0, deadline - Date.now())), options.signal);
  }
}
