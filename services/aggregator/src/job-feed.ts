/**
 * How the aggregator learns jobs: from `job.created` events on its durable
 * consumer, each read back from the ledger (the event only names it) and
 * saved. An event whose job the ledger does not know yet comes back after
 * `retryDelayMs`; a subscription that ends is made again.
 */
import { SUBJECT, type EventBus } from '@learnchain/bus';
import type { Logger } from '@learnchain/core';

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
  /** Ends the feed. */
  readonly signal: AbortSignal;
  /** A job was saved: its rounds can open. */
  readonly onLearnt: () => void;
}

/** Fetches a job from the ledger and saves it; false while the ledger does not know it. */
async function learnJob(options: JobFeedOptions, jobId: string): Promise<boolean> {
  const spec = await options.jobs.job(jobId, options.signal);
  if (!spec) return false;
  if (await options.rounds.saveJob(spec)) options.logger.info({ job: jobId, rule: spec.rule.name, minTrainers: spec.minTrainers }, 'job learnt');
  options.onLearnt();
  return true;
}

/** Learns this chain's jobs as they are created, until `signal` aborts. */
export async function followJobs(options: JobFeedOptions): Promise<void> {
  const { bus, consumer, chainId, logger, signal } = options;
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
      if (signal.aborted) return;
      logger.warn({ err: error }, 'job subscription ended; subscribing again');
      await new Promise((resolve) => setTimeout(resolve, options.retryDelayMs));
    }
  }
}
