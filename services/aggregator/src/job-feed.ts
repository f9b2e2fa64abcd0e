/**
 * How the aggregator learns jobs: from `job.created` events on its durable
 * consumer, each read back from the ledger (the event only names it) and
 * saved; and from the ledger's list of jobs, at start and every ten minutes,
 * for the jobs whose events it will not see (they aged out of the stream while
 * it was away, came before its consumer existed, or were never published). An event whose job the ledger
 * does not know yet comes back after `retryDelayMs`; a subscription that ends
 * is made again; a list that cannot be read for now is read again after the
 * same delay.
 *
 * A job it has no record of is taken by the ledger's record (domain/job's
 * intakeOf): run when no round of it has been committed, left otherwise.
 */
import { setTimeout as delay } from 'node:timers/promises';

import { status as Status } from '@grpc/grpc-js';
import { SUBJECT, type EventBus } from '@learnchain/bus';
import type { Logger } from '@learnchain/core';

import { intakeOf, type LedgerJob } from './domain/job';
import { JobFormatError } from './errors';
import type { JobSource } from './ports';
import type { RoundStore } from './store/rounds';

export interface JobFeedOptions {
  readonly bus: EventBus;
  readonly consumer: string;
  readonly chainId: string;
  readonly jobs: JobSource;
  readonly rounds: RoundStore;
  readonly logger: Logger;
  readonly retryDelayMs: number;
  /** How often the ledger's list of jobs is read again after the first read at start (default 10 minutes). */
  readonly catchUpEveryMs?: number;
  /** Ends the feed. */
  readonly signal: AbortSignal;
  /** A job was saved: its rounds can open. */
  readonly onLearnt: () => void;
}

/** Saves a job the ledger holds, unless it is known already or not this aggregator's to run. */
async function learn(options: JobFeedOptions, job: LedgerJob): Promise<void> {
  const { rounds, logger } = options;
  const jobId = job.spec.jobId;
  if (await rounds.job(jobId)) return;
  const intake = intakeOf(job);
  if (intake.kind === 'finished') {
    logger.debug({ job: jobId, rounds: job.round }, 'job finished on chain before this aggregator knew it: left');
    return;
  }
  if (intake.kind === 'run-elsewhere') {
    logger.warn(
      { job: jobId, committedRounds: intake.committed },
      'the chain committed rounds of this job that this aggregator has no record of (another database ran them): it cannot go on from them, so it leaves the job',
    );
    return;
  }
  if (!(await rounds.saveJob(job.spec))) return;
  logger.info({ job: jobId, rule: job.spec.rule.name, minTrainers: job.spec.minTrainers }, 'job learnt');
  options.onLearnt();
}

/** Fetches a job from the ledger and takes it; false while the ledger does not know it. */
async function learnJob(options: JobFeedOptions, jobId: string): Promise<boolean> {
  const job = await options.jobs.job(jobId, options.signal);
  if (!job) return false;
  await learn(options, job);
  return true;
}

/** Waits `ms`, or less when `signal` aborts. */
const pause = (ms: number, signal: AbortSignal): Promise<void> => delay(ms, undefined, { signal }).catch(() => undefined);

/** Whether reading the list again may go better: no validator answered in time, or the database failed; not an answer that will not change. */
function isTransient(error: unknown): boolean {
  if (error instanceof JobFormatError) return false;
  const code = (error as { code?: unknown }).code;
  return typeof code !== 'number' || !PERMANENT.has(code);
}

const PERMANENT: ReadonlySet<number> = new Set([Status.INVALID_ARGUMENT, Status.NOT_FOUND, Status.PERMISSION_DENIED, Status.UNIMPLEMENTED, Status.UNAUTHENTICATED]);

/**
 * Takes every job on the ledger's list, page by page. A page that cannot be
 * read for now is read again after `retryDelayMs`; one the validators refuse,
 * or that does not read as a list of jobs, ends the catch-up with an error.
 */
export async function catchUpJobs(options: JobFeedOptions): Promise<void> {
  const { jobs, logger, signal, retryDelayMs } = options;
  let after = '';
  let read = 0;
  while (!signal.aborted) {
    try {
      const page = await jobs.jobs(after, signal);
      for (const bad of page.malformed) logger.warn({ job: bad.jobId, reason: bad.reason }, 'a job on the ledger does not read as a job: left');
      const known = await options.rounds.knownJobs(page.jobs.map((j) => j.spec.jobId));
      for (const job of page.jobs) if (!known.has(job.spec.jobId)) await learn(options, job);
      read += page.jobs.length;
      if (page.nextAfter === '') {
        logger.debug({ jobs: read }, "read the ledger's jobs");
        return;
      }
      after = page.nextAfter;
    } catch (error) {
      if (signal.aborted) return;
      if (!isTransient(error)) {
        logger.error({ err: error, after }, "cannot read the ledger's list of jobs: jobs are learnt from job.created events only");
        return;
      }
      logger.warn({ err: error, after }, "cannot read the ledger's jobs yet; trying again");
      await pause(retryDelayMs, signal);
    }
  }
}

/** Reads the ledger's list of jobs now, then every `catchUpEveryMs`, until `signal` aborts. */
async function catchUpEvery(options: JobFeedOptions): Promise<void> {
  while (!options.signal.aborted) {
    await catchUpJobs(options);
    await pause(options.catchUpEveryMs ?? CATCH_UP_EVERY_MS, options.signal);
  }
}

const CATCH_UP_EVERY_MS = 600_000;

/**
 * Learns this chain's jobs: those on the ledger now, then those created, until
 * `signal` aborts. The list is read again now and then, for a job whose event
 * never came (the validators could not publish it).
 */
export async function followJobs(options: JobFeedOptions): Promise<void> {
  const { bus, consumer, chainId, logger, signal } = options;
  const caughtUp = catchUpEvery(options);
  while (!signal.aborted) {
    try {
      const subscription = await bus.subscribe({ consumer, subjects: [SUBJECT.jobCreated], from: 'all', signal });
      for await (const delivery of subscription) {
        if (delivery.payload.chainId !== chainId) {
          await delivery.ack();
          continue;
        }
        const learnt = await learnJob(options, delivery.payload.jobId).catch((error: unknown) => {
          logger.warn({ err: error, job: delivery.payload.jobId }, 'cannot read the job from the ledger yet');
          return false;
        });
        if (learnt) await delivery.ack();
        else await delivery.nak(options.retryDelayMs);
      }
    } catch (error) {
      if (signal.aborted) break;
      logger.warn({ err: error }, 'job subscription ended; subscribing again');
      await pause(options.retryDelayMs, signal);
    }
  }
  await caughtUp;
}
