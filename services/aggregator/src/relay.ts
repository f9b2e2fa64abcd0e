/**
 * Publishes the round events of the outbox: once at start (what a crash left
 * unpublished), after every state change (`kick`), and on every tick
 * (`sweep`): what a failed publish left, and at most every `sweepMs` what
 * another replica left. Passes never overlap; a kick during a pass runs one more.
 */
import type { EventBus } from '@learnchain/bus';
import type { Logger } from '@learnchain/core';

import type { RoundObserver } from './metrics';
import type { EventOutbox, OutboxEvent } from './store/outbox';

export interface EventRelayOptions {
  readonly outbox: EventOutbox;
  readonly bus: EventBus;
  readonly chainId: string;
  readonly logger: Logger;
  readonly observer: RoundObserver;
  /** How often a sweep reads the outbox when no pass failed (default 10 s); `clock` times it (default Date.now). */
  readonly sweepMs?: number;
  readonly clock?: () => number;
}

/** Events taken per outbox transaction: a pass reads again only after a full batch. */
const BATCH = 100;

export class EventRelay {
  private pass: Promise<void> | undefined;
  private again = false;
  /** Whether the last pass stopped at a failed publish, and when the last pass began. */
  private failed = false;
  private lastPassAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: EventRelayOptions) {}

  /** Publishes what the outbox holds; resolves when a pass that started after this call ends. Never throws. */
  kick(): Promise<void> {
    if (this.pass) {
      this.again = true;
      return this.pass;
    }
    this.pass = this.run().finally(() => {
      this.pass = undefined;
    });
    return this.pass;
  }

  /** A kick when the last pass failed or `sweepMs` have passed since the last one began; otherwise nothing to read. */
  sweep(): Promise<void> {
    const now = (this.options.clock ?? Date.now)();
    if (!this.failed && now - this.lastPassAt < (this.options.sweepMs ?? 10_000)) return Promise.resolve();
    return this.kick();
  }

  private async run(): Promise<void> {
    do {
      this.again = false;
      this.lastPassAt = (this.options.clock ?? Date.now)();
      try {
        while ((await this.options.outbox.drain((event) => this.publish(event), BATCH)) === BATCH);
        this.failed = false;
      } catch (error) {
        this.failed = true;
        this.options.logger.warn({ err: error }, 'round event not published; the outbox keeps it for the next pass');
        return;
      }
    } while (this.again);
  }

  private async publish(event: OutboxEvent): Promise<void> {
    const { bus, chainId, observer } = this.options;
    await observer.inRound(event.payload as { jobId?: string; round?: number }, () => bus.publish(event.subject, event.payload, { msgId: `${chainId}/${event.msgId}` }));
  }
}
