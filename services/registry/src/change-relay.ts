/**
 * Gets committed membership changes out of the registry's store: to the event
 * bus (the outbox, in epoch order) and, with a recorder, to the chain. A pass
 * runs after a local change, after a pass that failed or left work, and every
 * `SWEEP_MS` for what another replica left (PassSchedule); a poll in between
 * reads nothing.
 */
import { SUBJECT, type EventBus } from '@learnchain/bus';
import { PassSchedule, type Logger } from '@learnchain/core';

import type { ChainPass } from './store/chain-outbox';
import type { ChangeRecord, MemberStore } from './store/members';

/** Records membership changes on chain; `interrupt` makes a pass stop waiting for commits (the changes stay pending). */
export interface ChainRecorder {
  recordPending(): Promise<ChainPass>;
  interrupt?(): void;
}

export interface ChangeRelayOptions {
  readonly chainId: string;
  readonly store: MemberStore;
  readonly bus: EventBus;
  readonly logger: Logger;
  readonly recorder?: ChainRecorder;
}

/** Changes published per outbox transaction: a pass reads again only after a full batch. */
const OUTBOX_BATCH = 100;
/** How often the outbox and the chain submissions are read with nothing asking (work another replica left). */
const SWEEP_MS = 10_000;

export class ChangeRelay {
  private outboxBusy = false;
  private interrupted = false;
  private readonly outboxPasses = new PassSchedule(SWEEP_MS);
  private readonly chainPasses = new PassSchedule(SWEEP_MS);

  constructor(private readonly options: ChangeRelayOptions) {}

  /** A change was committed here: publishes it now; the next chain poll records it. */
  changed(): void {
    this.chainPasses.touch();
    this.outboxPasses.touch();
    void this.publishOutbox().catch((error: unknown) => this.options.logger.warn({ err: error }, 'event publishing failed; will retry'));
  }

  /** A publishing pass when one is due. */
  pollOutbox(): Promise<number> {
    return this.outboxPasses.due() ? this.publishOutbox() : Promise.resolve(0);
  }

  /** A chain recording pass when one is due. */
  pollChain(): Promise<void> {
    const recorder = this.options.recorder;
    return recorder && this.chainPasses.due() ? this.recordOnChain(recorder) : Promise.resolve();
  }

  /** Stops chain recording (on shutdown): a pass waiting for commits stops waiting, and none takes another batch. */
  interrupt(): void {
    this.interrupted = true;
    this.options.recorder?.interrupt?.();
  }

  /** Publishes committed changes not yet published, in epoch order. */
  async publishOutbox(): Promise<number> {
    if (this.outboxBusy) {
      // The running pass may have read before the change that asked for this one: the next poll runs it.
      this.outboxPasses.touch();
      return 0;
    }
    this.outboxBusy = true;
    this.outboxPasses.begin();
    try {
      let total = 0;
      for (;;) {
        const published = await this.options.store.drainOutbox((change) => this.publish(change), OUTBOX_BATCH);
        total += published;
        if (published < OUTBOX_BATCH) return total;
      }
    } catch (error) {
      this.outboxPasses.unfinished();
      throw error;
    } finally {
      this.outboxBusy = false;
    }
  }

  private async publish(change: ChangeRecord): Promise<void> {
    const { member } = change;
    const base = { nodeId: member.nodeId, publicKey: member.publicKey, role: member.role, epoch: change.epoch };
    const msgId = `${this.options.chainId}:membership:${change.epoch}`;
    switch (change.status) {
      case 'active': {
        const capabilities = [member.capabilities.device, ...Object.entries(member.capabilities.labels).map(([k, v]) => `${k}=${v}`)].filter((c) => c !== '');
        await this.options.bus.publish(SUBJECT.membershipJoined, { ...base, capabilities }, { msgId });
        return;
      }
      case 'left':
        await this.options.bus.publish(SUBJECT.membershipLeft, { ...base, reason: change.reason }, { msgId });
        return;
      case 'failed':
        await this.options.bus.publish(SUBJECT.membershipFailed, { ...base, reason: change.reason }, { msgId });
        return;
    }
  }

  private async recordOnChain(recorder: ChainRecorder): Promise<void> {
    this.chainPasses.begin();
    try {
      for (;;) {
        const { done, left } = await recorder.recordPending();
        // Changes that did not commit in time stay pending: the next poll sends them again.
        if (left > 0 && done === 0) this.chainPasses.unfinished();
        if (done === 0 || this.interrupted) return;
      }
    } catch (error) {
      this.chainPasses.unfinished();
      throw error;
    }
  }
}
