/**
 * The events of committed blocks: `block.committed` for each, `job.created`
 * for each CreateJob it accepted. Published in height order, aside from the
 * chain (a commit never waits for them); a publish that fails is tried again,
 * with a growing wait, until the bus takes it, so an outage of the event
 * stream delays events instead of losing them. Every validator publishes the
 * same events with the same ids: the stream keeps one of each.
 *
 * At most MAX_BACKLOG blocks wait; past that a block's events are dropped,
 * with a warning.
 */
import { setTimeout as delay } from 'node:timers/promises';

import { PublishFailedError, SUBJECT, type EventBus } from '@learnchain/bus';
import { backoffMs, type Logger } from '@learnchain/core';
import type { Tx, TxOutcome } from '@learnchain/ledger';

/** What the events of one block say. */
export interface AnnouncedBlock {
  readonly height: number;
  readonly hash: Uint8Array;
  readonly appHash: Uint8Array;
  readonly timeMs: number;
  readonly txs: readonly Tx[];
  readonly outcomes: readonly TxOutcome[];
}

const MAX_BACKLOG = 1000;
const FIRST_RETRY_MS = 100;
const LAST_RETRY_MS = 5_000;
/** How long `drain` lets events still waiting go out before it gives them up. */
export const DRAIN_MS = 5_000;

export class BlockEvents {
  private queue: Promise<void> = Promise.resolve();
  private backlog = 0;
  /** Blocks whose events went out only after a failed publish, since the last failure began. */
  private failing: { since: number; blocks: number } | undefined;
  private readonly stopping = new AbortController();

  constructor(
    private readonly bus: EventBus,
    private readonly chainId: string,
    private readonly logger: Logger,
  ) {}

  /** Queues the block's events. */
  announce(block: AnnouncedBlock): void {
    if (this.backlog >= MAX_BACKLOG) {
      this.logger.warn({ height: block.height, waiting: this.backlog }, 'event backlog full: the events of this block are not published');
      return;
    }
    this.backlog += 1;
    this.queue = this.queue
      .then(() => this.untilPublished(block))
      .catch((error: unknown) => this.logger.warn({ err: error, height: block.height }, 'block events not published: the validator is stopping'))
      .finally(() => {
        this.backlog -= 1;
      });
  }

  /** Waits for the events queued, trying failed ones again for at most `graceMs`; then gives up what is left. */
  async drain(graceMs = DRAIN_MS): Promise<void> {
    const timer = setTimeout(() => this.stopping.abort(), graceMs);
    try {
      await this.queue;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Publishes the block's events, trying again while the stream does not confirm them; what the bus refuses outright is logged and skipped. */
  private async untilPublished(block: AnnouncedBlock): Promise<void> {
    for (let attempt = 0; ; attempt += 1) {
      if (this.stopping.signal.aborted) throw new Error(`given up after ${attempt} tries`);
      try {
        await this.publish(block);
        if (this.failing) {
          this.logger.info({ height: block.height, blocks: this.failing.blocks, sinceMs: Date.now() - this.failing.since }, 'block events published again after failures');
          this.failing = undefined;
        }
        return;
      } catch (error) {
        // A payload the bus refuses (or a closed bus) will not go through however often it is sent.
        if (!(error instanceof PublishFailedError)) {
          this.logger.error({ err: error, height: block.height }, 'block events refused by the bus: skipped');
          return;
        }
        if (!this.failing) {
          this.failing = { since: Date.now(), blocks: 0 };
          this.logger.warn({ err: error, height: block.height }, 'block events not published; trying again until the event stream takes them');
        }
        if (attempt === 0) this.failing.blocks += 1;
        await delay(backoffMs(attempt, FIRST_RETRY_MS, LAST_RETRY_MS), undefined, { signal: this.stopping.signal }).catch(() => undefined);
      }
    }
  }

  /** Publishes the block's events; ids make a repeat (after a partial failure, or by another validator) a duplicate the stream drops. */
  private async publish(block: AnnouncedBlock): Promise<void> {
    const { bus, chainId } = this;
    await bus.publish(
      SUBJECT.blockCommitted,
      { chainId, height: block.height, blockHash: block.hash, appHash: block.appHash, txCount: block.txs.length, time: block.timeMs },
      { msgId: `${chainId}/block/${block.height}` },
    );
    for (const [i, tx] of block.txs.entries()) {
      if (tx.kind !== 'createJob' || !block.outcomes[i]?.accepted) continue;
      const job = tx.body;
      await bus.publish(
        SUBJECT.jobCreated,
        {
          chainId,
          jobId: job.jobId,
          initialModelHash: new Uint8Array(job.initialParametersHash),
          height: block.height,
          rule: job.rule?.name ?? '',
          minTrainers: Math.max(1, job.minTrainers),
          roundDeadlineMs: Math.max(1, job.roundDeadlineMs),
        },
        { msgId: `${chainId}/job/${job.jobId}` },
      );
    }
  }
}
