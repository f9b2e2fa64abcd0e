/**
 * The trainer node's lifecycle: join through the registry (heartbeats follow),
 * read round.opened events from a consumer of its own (durable when its key
 * outlives it), training for one round at a time (the next round trains while
 * the previous one's upload waits for its answer), and on stop: take no more
 * rounds, let the rounds in flight finish for a grace period (then abort
 * them), leave the registry. A consumer made new (a new node, or one whose consumer the
 * transport forgot) starts at the events of the last `replayMs`, not at the
 * first event ever: a round opened before that is over, or did not ask this node.
 */
import type { Delivery, EventBus, Subscription } from '@learnchain/bus';
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

/** Rounds in hand at once, at most: one training, and the one before it waiting for its upload's answer. */
const ROUNDS_IN_HAND = 2;
/** Round events delivered and not yet acknowledged, at most: those in hand and one more. */
const ROUND_EVENTS_IN_FLIGHT = ROUNDS_IN_HAND + 1;

export class TrainerNode {
  private state: NodeLifecycle = 'starting';
  private subscription: Subscription<typeof SUBJECT.roundOpened> | undefined;
  private loop: Promise<void> | undefined;
  private readonly abort = new AbortController();
  /** The rounds in hand, each settled (acknowledged or given back) once its outcome is known. */
  private readonly inHand = new Set<Promise<void>>();

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
        while (this.state === 'running' && this.inHand.size >= ROUNDS_IN_HAND) await Promise.race(this.inHand);
        if (this.state !== 'running') {
          // Taken while stopping (perhaps a round just given back): back to the consumer at once, for a restart.
          await this.giveBack(delivery);
          break;
        }
        let uploading: () => void = () => undefined;
        const trained = new Promise<void>((resolve) => (uploading = resolve));
        // The round continues the trace its event was published in (the round's trace).
        const outcome = withContext(traceContextOf(delivery), () => this.options.rounds.handle(delivery.payload, this.abort.signal, uploading));
        const settled = outcome.then((o) => this.settle(delivery, o));
        this.inHand.add(settled);
        void settled.finally(() => this.inHand.delete(settled));
        // The next event is taken once this round no longer trains.
        await Promise.race([trained, settled]);
      }
    } catch (error) {
      if (this.state === 'running') this.options.logger.error({ err: error }, 'round events stopped');
    }
  }

  /** Reports a round's outcome and acknowledges its event; a round given up because the node is stopping goes back to the consumer (a restart may still take it). Never throws. */
  private async settle(delivery: Delivery<typeof SUBJECT.roundOpened>, outcome: RoundOutcome): Promise<void> {
    const { payload } = delivery;
    if (outcome.kind === 'skipped') this.options.logger.debug({ job: payload.jobId, round: payload.round, reason: outcome.reason }, 'round skipped');
    this.options.onOutcome?.(outcome);
    if (outcome.kind === 'failed' && this.abort.signal.aborted) return this.giveBack(delivery);
    await delivery.ack().catch((error: unknown) => this.options.logger.warn({ err: error }, 'ack failed'));
  }

  private async giveBack(delivery: Delivery<typeof SUBJECT.roundOpened>): Promise<void> {
    await delivery.nak().catch((error: unknown) => this.options.logger.warn({ err: error }, 'nak failed'));
  }

  /** Stops taking rounds, finishes or aborts the one in flight, leaves the registry. Idempotent. */
  async stop(reason = 'shutdown'): Promise<void> {
    if (this.state === 'stopped' || this.state === 'draining') return;
    const wasRunning = this.state === 'running';
    this.state = 'draining';
    if (wasRunning) {
      if (this.inHand.size > 0) {
        this.options.logger.info({ drainMs: this.options.drainMs, rounds: this.inHand.size }, 'waiting for the rounds in flight');
        const timer = setTimeout(() => this.abort.abort(new Error('trainer stopping')), this.options.drainMs);
        await Promise.all(this.inHand);
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
