/**
 * The trainer node's lifecycle: join through the registry (heartbeats follow),
 * read round.opened events from a consumer of its own (durable when its key
 * outlives it), one round at a time, and on stop: take no more rounds, let
 * the round in flight finish for a grace period (then abort it), leave the
 * registry. A consumer made new (a new node, or one whose consumer the
 * transport forgot) starts at the events of the last `replayMs`, not at the
 * first event ever: a round opened before that is over, or did not ask this node.
 */
import type { EventBus, Subscription } from '@learnchain/bus';
import { SUBJECT, traceContextOf } from '@learnchain/bus';
import { withContext, type Logger } from '@learnchain/core';
import type { Lease } from '@learnchain/membership';

import type { RoundHandler, RoundOutcome } from './round';

/** The membership the node keeps (MembershipClient in production). */
export interface Membership {
  start(): Promise<Lease>;
  stop(reason?: string): Promise<void>;
  readonly lease: Lease | undefined;
}

export type NodeLifecycle = 'starting' | 'running' | 'draining' | 'stopped';

export interface TrainerNodeOptions {
  readonly membership: Membership;
  readonly bus: EventBus;
  readonly rounds: RoundHandler;
  readonly logger: Logger;
  /** How long a round.opened delivery may stay unacknowledged (covers a round's training and upload). */
  readonly ackWaitMs: number;
  /** How long stop waits for the round in flight before aborting it. */
  readonly drainMs: number;
  /** How far back from its start a consumer made new reads round.opened events. */
  readonly replayMs: number;
  /**
   * Whether the node's consumer outlives it, so that a restart resumes where
   * it was: worth it only for a node whose key, and so whose id, outlives it
   * too. Otherwise the consumer goes with the subscription.
   */
  readonly durable: boolean;
  /** Called with each round's outcome (tests and metrics). */
  readonly onOutcome?: (outcome: RoundOutcome) => void;
}

/** The durable consumer name of a trainer that keeps its key: one per node, so a restart resumes where it was. */
export function consumerName(nodeId: string): string {
  return `trainer-${nodeId}`;
}

/** Round events delivered and not yet acknowledged, at most: the one in hand and one more. */
const ROUND_EVENTS_IN_FLIGHT = 2;

export class TrainerNode {
  private state: NodeLifecycle = 'starting';
  private subscription: Subscription<typeof SUBJECT.roundOpened> | undefined;
  private loop: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private current: Promise<RoundOutcome> | undefined;

  constructor(private readonly options: TrainerNodeOptions) {}

  get lifecycle(): NodeLifecycle {
    return this.state;
  }

  /** Joins and starts taking rounds; resolves with the lease. */
  async start(): Promise<Lease> {
    if (this.state !== 'starting') throw new Error(`cannot start a trainer that is ${this.state}`);
    const since = Date.now() - this.options.replayMs;
    const lease = await this.options.membership.start();
    try {
      this.subscription = await this.options.bus.subscribe({
        ...(this.options.durable ? { consumer: consumerName(lease.nodeId) } : {}),
        subjects: [SUBJECT.roundOpened],
        from: { time: Math.max(0, since) },
        ackWaitMs: this.options.ackWaitMs,
        // Rounds are taken one at a time all the same; room for more than one means an ack lost to an outage of
        // NATS holds back only its own event (delivered again after the ack wait, and skipped), not every later round.
        maxAckPending: ROUND_EVENTS_IN_FLIGHT,
        onMalformed: (error, sequence) => this.options.logger.warn({ err: error, sequence }, 'malformed event skipped'),
      });
    } catch (error) {
      await this.options.membership.stop('subscription failed');
      throw error;
    }
    this.state = 'running';
    this.loop = this.consume(this.subscription);
    return lease;
  }

  private async consume(subscription: Subscription<typeof SUBJECT.roundOpened>): Promise<void> {
    try {
      for await (const delivery of subscription) {
        if (this.state !== 'running') break;
        // The round continues the trace its event was published in (the round's trace).
        this.current = withContext(traceContextOf(delivery), () => this.options.rounds.handle(delivery.payload, this.abort.signal));
        const outcome = await this.current;
        this.current = undefined;
        if (outcome.kind === 'skipped') this.options.logger.debug({ job: delivery.payload.jobId, round: delivery.payload.round, reason: outcome.reason }, 'round skipped');
        this.options.onOutcome?.(outcome);
        // A round given up because we are stopping goes back to the consumer: a restart may still take it.
        if (outcome.kind === 'failed' && this.abort.signal.aborted) {
          await delivery.nak().catch((error: unknown) => this.options.logger.warn({ err: error }, 'nak failed'));
          break;
        }
        await delivery.ack().catch((error: unknown) => this.options.logger.warn({ err: error }, 'ack failed'));
      }
    } catch (error) {
      if (this.state === 'running') this.options.logger.error({ err: error }, 'round events stopped');
    }
  }

  /** Stops taking rounds, finishes or aborts the one in flight, leaves the registry. Idempotent. */
  async stop(reason = 'shutdown'): Promise<void> {
    if (this.state === 'stopped' || this.state === 'draining') return;
    const wasRunning = this.state === 'running';
    this.state = 'draining';
    if (wasRunning) {
      const inFlight = this.current;
      if (inFlight) {
        this.options.logger.info({ drainMs: this.options.drainMs }, 'waiting for the round in flight');
        const timer = setTimeout(() => this.abort.abort(new Error('trainer stopping')), this.options.drainMs);
        await inFlight;
        clearTimeout(timer);
      }
      this.abort.abort(new Error('trainer stopping'));
      await this.subscription?.close();
      await this.loop;
    }
    await this.options.membership.stop(reason);
    this.state = 'stopped';
  }
}
