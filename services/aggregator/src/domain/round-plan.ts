/**
 * Which rounds of a job move, and how, given its latest two rounds and the
 * time: the other half of the round manager's decision core (round-policy.ts
 * decides within one open round). No clock, database or network in here; the
 * manager reads the rounds, carries out the steps in order and reads again.
 *
 * Rounds are pipelined: once round r has a result, round r+1 may open on it
 * (`openOnResult`) while r's result goes to the chain. While r is not
 * committed, r+1 runs and may close and be aggregated, but is never
 * submitted; if r fails, r+1 is abandoned and r runs again. A round whose
 * base is not the model the chain committed for the round before it (another
 * result of that round was committed) is abandoned too.
 */
import type { RoundStateName } from '../store/schema';

/** A round as the plan reads it. */
export interface PlannedRound {
  readonly round: number;
  readonly attempt: number;
  readonly state: RoundStateName;
  readonly baseModelHash: string;
  readonly retryAtMs: number | null;
  readonly result: { readonly newModelHash: string } | null;
}

/** The job as the plan reads it. */
export interface PlannedJob {
  readonly initialModelHash: string;
  /** Rounds to run; 0 for no limit. */
  readonly rounds: number;
}

export interface OpenStep {
  readonly kind: 'open';
  readonly round: number;
  readonly attempt: number;
  readonly baseModelHash: string;
}

export type RoundStep<R extends PlannedRound> =
  | OpenStep
  /** Carry out the round policy's decision; a round that closes is aggregated, and submitted when `submit`. */
  | { readonly kind: 'advance'; readonly record: R; readonly submit: boolean }
  | { readonly kind: 'aggregate'; readonly record: R }
  /** Aggregate if not yet, open the next round on the result (pipelined), submit it and follow it to commit. */
  | { readonly kind: 'finish'; readonly record: R }
  | { readonly kind: 'abandon'; readonly record: R; readonly previousRound: number };

/** The steps for a job whose latest round is `current` and the one before it `previous`. */
export function planRounds<R extends PlannedRound>(job: PlannedJob, current: R | undefined, previous: R | undefined, nowMs: number): RoundStep<R>[] {
  if (!current) return [{ kind: 'open', round: 1, attempt: 1, baseModelHash: job.initialModelHash }];
  if (previous && previous.state !== 'committed') return planAhead(previous, current, nowMs);
  const committedModel = previous?.result?.newModelHash;
  const running = current.state === 'open' || current.state === 'closed';
  if (previous && committedModel && running && current.baseModelHash !== committedModel) return [{ kind: 'abandon', record: current, previousRound: previous.round }];
  switch (current.state) {
    case 'open':
      return [{ kind: 'advance', record: current, submit: true }];
    case 'closed':
      return [{ kind: 'finish', record: current }];
    case 'committed':
      if (!current.result || isLastRound(job, current.round)) return [];
      return [{ kind: 'open', round: current.round + 1, attempt: 1, baseModelHash: current.result.newModelHash }];
    case 'failed':
      if (nowMs < (current.retryAtMs ?? 0)) return [];
      // An abandoned round opens again on the model the chain committed.
      return [{ kind: 'open', round: current.round, attempt: current.attempt + 1, baseModelHash: committedModel ?? current.baseModelHash }];
  }
}

/** `ahead` was opened on a result of `pending`, which the chain has not committed. */
function planAhead<R extends PlannedRound>(pending: R, ahead: R, nowMs: number): RoundStep<R>[] {
  if (pending.state === 'closed') {
    const first: RoundStep<R>[] =
      ahead.state === 'open' ? [{ kind: 'advance', record: ahead, submit: false }] : ahead.state === 'closed' && !ahead.result ? [{ kind: 'aggregate', record: ahead }] : [];
    return [...first, { kind: 'finish', record: pending }];
  }
  // `pending` failed (and may be open again): what ran on its result is void.
  const abandon: RoundStep<R>[] = ahead.state === 'failed' ? [] : [{ kind: 'abandon', record: ahead, previousRound: pending.round }];
  if (pending.state === 'open') return [...abandon, { kind: 'advance', record: pending, submit: true }];
  if (nowMs < (pending.retryAtMs ?? 0)) return abandon;
  return [...abandon, { kind: 'open', round: pending.round, attempt: pending.attempt + 1, baseModelHash: pending.baseModelHash }];
}

/**
 * The opening of the round after `round` on its result `newModelHash`, unless
 * the job ends with `round` or that round (`next`, if any) already runs or
 * waits out a failure.
 */
export function openOnResult(job: PlannedJob, round: number, newModelHash: string, next: PlannedRound | undefined, nowMs: number): OpenStep | undefined {
  if (isLastRound(job, round)) return undefined;
  if (next && (next.state !== 'failed' || nowMs < (next.retryAtMs ?? 0))) return undefined;
  return { kind: 'open', round: round + 1, attempt: next ? next.attempt + 1 : 1, baseModelHash: newModelHash };
}

/** Whether the job is over: its last planned round committed (a job of unbounded rounds never is). */
export function jobFinished(job: PlannedJob, current: PlannedRound | undefined): boolean {
  return current?.state === 'committed' && isLastRound(job, current.round);
}

/** Whether `round` is the job's last planned one (a job of unbounded rounds has none). */
export function isLastRound(job: PlannedJob, round: number): boolean {
  return job.rounds !== 0 && round >= job.rounds;
}
