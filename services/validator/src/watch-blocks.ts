/**
 * WatchBlocks: committed blocks from a height on, stored ones first, then
 * each as it is stored. A client that reads slower than the chain commits is
 * held at most LIVE_BLOCKS_KEPT blocks in memory; older ones are read back
 * from the store when their turn comes (a block reaches watchers only once
 * it is stored), so a lagging client costs the validator a bounded buffer
 * and still gets every block, in order.
 */
import { notFound, untilAborted } from '@learnchain/core';

/** Committed blocks a stream holds for a client that lags. */
export const LIVE_BLOCKS_KEPT = 64;

/** Where the blocks come from (the chain). */
export interface BlockFeed<Block extends { readonly height: number }> {
  /** The highest height stored. */
  readonly persistedHeight: number;
  /** The stored block at `height` (undefined when there is none). */
  storedBlock(height: number): Promise<Block | undefined>;
  /** Hears each block once it is stored; returns the unsubscribe. */
  onBlock(listener: (block: Block) => void): () => void;
}

/**
 * Sends every block from `fromHeight` on through `send` (which waits while
 * the client cannot take more) until `signal` aborts or `send` fails. A
 * stored height the store cannot give back ends it with NOT_FOUND.
 */
export async function watchBlocks<Block extends { readonly height: number }>(feed: BlockFeed<Block>, fromHeight: number, send: (block: Block) => Promise<void>, signal: AbortSignal): Promise<void> {
  let next = Math.max(1, fromHeight);
  const live: Block[] = [];
  let wake: (() => void) | undefined;
  const unsubscribe = feed.onBlock((block) => {
    if (live.length >= LIVE_BLOCKS_KEPT) live.shift();
    live.push(block);
    wake?.();
  });
  try {
    while (!signal.aborted) {
      const first = live[0];
      if (next <= feed.persistedHeight && (first === undefined || first.height > next)) {
        const stored = await feed.storedBlock(next);
        if (stored === undefined) throw notFound('block', String(next), 'from_height');
        await send(stored);
        next += 1;
        continue;
      }
      const block = live.shift();
      if (block !== undefined) {
        if (block.height === next) {
          await send(block);
          next += 1;
        }
        continue;
      }
      // Until a block comes or the call ends; the abort listener goes with the wait (a stream waits once per block).
      await untilAborted(new Promise<void>((resolve) => (wake = resolve)), signal).catch(() => undefined);
      wake = undefined;
    }
  } finally {
    unsubscribe();
  }
}

