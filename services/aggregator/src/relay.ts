/**
 * Publishes the round events of the outbox: once at start (what a crash left
 * unpublished), after every state change (`kick`), and on every tick
 * (`sweep`): what a failed publish left, and at most every `sweepMs` what
 * another replica left. Passes never overlap; a kick during a pass runs one more.
 */
import { SUBJECT, type EventBus } from '@learnchain/bus';
import { PassSchedule, SerialPasses, type Logger } from '@learnchain/core';

import type { AcceptedUpdate } from './intake';
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
  private readonly schedule: PassSchedule;
  private readonly passes: SerialPasses;

  constructor(private readonly options: EventRelayOptions) {
    this.schedule = new PassSchedule(options.sweepMs ?? 10_000, options.clock);
    this.passes = new SerialPasses(
      () => this.drain(),
      (error) => {
        this.schedule.unfinished();
        options.logger.warn({ err: error }, 'round event not published; the outbox keeps it for the next pass');
      },
    );
  }

  /** Publishes what the outbox holds; resolves when a pass that started after this call ends. Never throws. */
  kick(): Promise<void> {
    return this.passes.request();
  }

  /** A kick when the last pass failed or `sweepMs` have passed since the last one began; otherwise nothing to read. */
  sweep(): Promise<void> {
    return this.schedule.due() ? this.kick() : Promise.resolve();
  }

  private async drain(): Promise<void> {
    this.schedule.begin();
    while ((await this.options.outbox.drain((event) => this.publish(event), BATCH)) === BATCH);
  }

  private async publish(event: OutboxEvent): Promise<void> {
    const { bus, chainId, observer } = this.options;
    await observer.inRound(event.payload as { jobId?: string; round?: number }, () => bus.publish(event.subject, event.payload, { msgId: `${chainId}/${event.msgId}` }));
  }
}

/**
 * Tells the mesh of an update stored in an open round (`update.accepted`),
 * so that validators fetch it while the round still runs. Not through the
 * outbox: the event only saves validators a fetch at the round's close, so a
 * publish that fails is logged, not retried.
 */
export function announceAccepted(bus: EventBus, chainId: string, update: AcceptedUpdate, logger: Logger): void {
  bus.publish(SUBJECT.updateAccepted, { chainId, ...update }).catch((error: unknown) => logger.debug({ err: error, job: update.jobId, round: update.round }, 'update.accepted not published'));
}
