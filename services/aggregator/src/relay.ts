/**
 * Publishes the round events of the outbox: once at start (what a crash left
 * unpublished), after every state change, and on every tick (what a failed
 * publish left). Passes never overlap; a kick during a pass runs one more.
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
}

export class EventRelay {
  private pass: Promise<void> | undefined;
  private again = false;

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

  private async run(): Promise<void> {
    do {
      this.again = false;
      try {
        while ((await this.options.outbox.drain((event) => this.publish(event))) > 0);
      } catch (error) {
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
