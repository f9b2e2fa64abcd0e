/**
 * What a validator has for one peer and has not written to it yet: bounded
 * in messages (the oldest goes first when full) and in transaction batches
 * (each up to a thousand transactions), which are not queued at all while the
 * link is down. Passing transactions on is a courtesy: they stay in this
 * validator's mempool and reach a block through it, so a dead or slow peer
 * costs a bounded queue, not every batch since it went away.
 */
import type { v1 } from '@learnchain/proto';

export class SendQueue {
  private readonly messages: v1.ConsensusMessage[] = [];
  private txBatches = 0;

  constructor(
    private readonly maxMessages: number,
    private readonly maxTxBatches: number,
  ) {}

  get length(): number {
    return this.messages.length;
  }

  /** Transaction batches queued. */
  get txBatchesQueued(): number {
    return this.txBatches;
  }

  /**
   * Queues `message` for a link that is up or not; answers what happened:
   * 'queued', 'skipped' (a transaction batch not queued), or 'displaced'
   * (queued, the oldest message dropped to make room).
   */
  push(message: v1.ConsensusMessage, linkUp: boolean): 'queued' | 'skipped' | 'displaced' {
    if (message.txs) {
      if (!linkUp || this.txBatches >= this.maxTxBatches) return 'skipped';
      this.txBatches += 1;
    }
    let outcome: 'queued' | 'displaced' = 'queued';
    if (this.messages.length >= this.maxMessages) {
      this.shift();
      outcome = 'displaced';
    }
    this.messages.push(message);
    return outcome;
  }

  /** The oldest message, taken off the queue. */
  shift(): v1.ConsensusMessage | undefined {
    const message = this.messages.shift();
    if (message?.txs) this.txBatches -= 1;
    return message;
  }
}
