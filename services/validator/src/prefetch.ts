/**
 * Warms the round checks' blobs: each update an aggregator of this chain
 * accepts is fetched in the background as it is announced, while the round
 * still runs (and any update a closed round included and this validator does
 * not hold yet, while the aggregator aggregates and submits the result), so
 * the check that the proposal starts finds them in memory and a round's
 * updates are not all fetched at its close. Best effort: a missed event or a
 * failed prefetch only leaves the check to fetch the blob itself. Once the round's result is
 * committed, its updates and base model are let go (releaseCommittedRounds):
 * no check needs them again, and its new model stays as the next round's base.
 */
import { SUBJECT, type EventBus, type Subscription } from '@learnchain/bus';
import type { Logger } from '@learnchain/core';
import type { Tx } from '@learnchain/ledger';

import type { CachedBlobs } from './blobs';
import type { Chain } from './chain';

/** The blobs a committed transaction leaves no check needing: a round's updates (included or excluded: each was announced and prefetched) and base model, and its new model when the round was refused. */
export function blobsDoneWith(tx: Tx, accepted: boolean): Uint8Array[] {
  if (tx.kind !== 'roundResult') return [];
  const { included, excluded, baseModelHash, newModelHash } = tx.body;
  const updates = [...included.map((u) => u.updateHash), ...excluded.flatMap((u) => (u.updateHash.length > 0 ? [u.updateHash] : []))];
  return [...updates, baseModelHash, ...(accepted ? [] : [newModelHash])];
}

/** Lets go of the blobs of every round committed from now on; returns the unsubscribe. */
export function releaseCommittedRounds(chain: Pick<Chain, 'onBlock'>, blobs: Pick<CachedBlobs, 'forget'>): () => void {
  return chain.onBlock((committed) => blobs.forget(committed.txs.flatMap((tx, i) => blobsDoneWith(tx, committed.outcomes[i]?.accepted ?? false))));
}

export interface RoundPrefetchOptions {
  readonly bus: EventBus;
  readonly chainId: string;
  readonly blobs: Pick<CachedBlobs, 'prefetch'>;
  readonly logger: Logger;
}

/** Prefetches every update accepted, and the included updates of every round closed, from now on, until `stop`. */
export class RoundPrefetch {
  private constructor(
    private readonly subscription: Subscription<typeof SUBJECT.updateAccepted | typeof SUBJECT.roundClosed>,
    private readonly loop: Promise<void>,
  ) {}

  static async start(options: RoundPrefetchOptions): Promise<RoundPrefetch> {
    const { bus, chainId, blobs, logger } = options;
    // An ephemeral consumer from now on: a round from before this validator started is not worth fetching.
    const subscription = await bus.subscribe({
      subjects: [SUBJECT.updateAccepted, SUBJECT.roundClosed],
      from: 'new',
      onMalformed: (error, sequence) => logger.warn({ err: error, sequence }, 'malformed round event skipped'),
    });
    const loop = (async () => {
      try {
        for await (const delivery of subscription) {
          if (delivery.payload.chainId === chainId) blobs.prefetch(delivery.subject === SUBJECT.updateAccepted ? [delivery.payload.updateHash] : delivery.payload.included.map((u) => u.updateHash));
          await delivery.ack().catch((error: unknown) => logger.debug({ err: error }, 'ack of a round event failed'));
        }
      } catch (error) {
        logger.warn({ err: error }, 'round events stopped: round checks fetch their updates when they start');
      }
    })();
    return new RoundPrefetch(subscription, loop);
  }

  async stop(): Promise<void> {
    await this.subscription.close();
    await this.loop;
  }
}
