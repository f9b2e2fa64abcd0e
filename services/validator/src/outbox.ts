/**
 * Own messages on their way out: signed (the double-sign guard refuses a
 * conflicting one), appended to the write-ahead log, and sent to every peer
 * only once the log is fsynced over them. The caller does not wait for the
 * fsync, so one can cover several messages; syncs complete in order, so
 * messages leave in the order they were signed. A message is kept in the
 * book (for commits and re-gossip) only once it is durable.
 */
import type { ConsensusMessage } from '@learnchain/consensus';
import type { Logger } from '@learnchain/core';
import type { v1 } from '@learnchain/proto';

import { conflictingPrevote, conflictingProposal } from './byzantine';
import { DoubleSignError } from './errors';
import type { MessageBook, Network } from './gossip';
import type { Signer } from './signer';
import type { HeightClock } from './timers';

export interface OutboxOptions {
  readonly signer: Signer;
  readonly book: MessageBook;
  readonly logger: Logger;
  readonly clock: HeightClock;
  /** TEST ONLY: from this height on, also sign and send conflicting prevotes and proposals. */
  readonly equivocateHeight?: number;
}

export class Outbox {
  /** The sending of the last message signed; earlier ones are sent before it. */
  private sending: Promise<void> = Promise.resolve();
  private readonly equivocated = new Set<number>();
  private readonly equivocatedProposals = new Set<string>();

  constructor(
    private readonly options: OutboxOptions,
    private readonly network: () => Network,
  ) {}

  /**
   * Signs and logs `message` (a proposal with its block) and sends it once it
   * is durable; `runningHeight` tells whether it counts in the height's timings.
   * A message the guard refuses is logged and dropped.
   */
  async send(message: ConsensusMessage, block: v1.Block__Output | undefined, runningHeight: () => number): Promise<void> {
    const { signer, logger, clock, book, equivocateHeight } = this.options;
    let signed;
    try {
      signed = await signer.sign(message, block);
    } catch (error) {
      if (error instanceof DoubleSignError) {
        logger.error({ key: error.key }, 'double-sign refused');
        return;
      }
      throw error;
    }
    if (signed.again) logger.info({ key: `${message.kind}:${message.kind === 'vote' ? `${message.vote.height}/${message.vote.round}/${message.vote.type}` : message.proposal.height}` }, 'resent a message signed before the restart');
    const wire = signed.wire;
    const conflicting = conflictingPrevote(message, equivocateHeight, this.equivocated);
    const rival = conflictingProposal(message, block, equivocateHeight, this.equivocatedProposals);
    const signedAt = performance.now();
    this.sending = signed.durable.then(
      () => {
        clock.walWait(performance.now() - signedAt);
        if (message.kind === 'vote' && message.vote.height === runningHeight()) clock.mark(message.vote.type === 'prevote' ? 'prevoteSent' : 'precommitSent');
        book.addOwn(wire);
        const network = this.network();
        network.broadcast(wire);
        if (conflicting) {
          logger.warn({ height: conflicting.height, round: conflicting.round }, 'TEST Byzantine: sent a conflicting prevote');
          network.broadcast(signer.signUnguarded({ kind: 'vote', vote: conflicting }));
        }
        if (rival) {
          logger.warn({ height: rival.proposal.height, round: rival.proposal.round }, 'TEST Byzantine: sent a conflicting proposal');
          network.broadcast(signer.signUnguarded({ kind: 'proposal', proposal: rival.proposal }, rival.block));
        }
      },
      (error: unknown) => logger.error({ err: error }, 'write-ahead log not synced: message not sent'),
    );
  }

  /** Resolves once every message signed so far is durable and sent (or failed to sync). */
  settled(): Promise<void> {
    return this.sending;
  }
}
