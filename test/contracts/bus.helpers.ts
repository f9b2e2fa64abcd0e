/** Payload builders and waiting helpers for the EventBus contract. */
import { createHash } from 'node:crypto';
import type { BlockCommitted, Delivery, RoundOpened, Subject, Subscription } from '@learnchain/bus';

/** How long a test waits for a delivery it expects before it fails (a liveness guard, not a timing check). */
export const EXPECT_WITHIN_MS = 8_000;
/** Short ack wait so redelivery tests stay fast. */
export const SHORT_ACK_WAIT_MS = 300;

export const hash = (label: string): Uint8Array => new Uint8Array(createHash('sha256').update(label).digest());

export function roundOpened(round: number, jobId = 'job-1'): RoundOpened {
  return {
    chainId: 'chain-test',
    jobId,
    round,
    baseModelHash: hash(`model-${jobId}-${round}`),
    deadlineMs: 1_700_000_000_000 + round,
    participants: [`trainer-${round}`, 'trainer-x'],
    epoch: 3,
  };
}

export function blockCommitted(height: number): BlockCommitted {
  return {
    chainId: 'chain-test',
    height,
    blockHash: hash(`block-${height}`),
    appHash: hash(`app-${height}`),
    txCount: height % 5,
    time: 1_700_000_000_000 + height * 1000,
  };
}

/** Resolves with `promise`, or fails once the guard passes: a liveness check, not a timing one. */
export async function within<T>(promise: Promise<T>, what: string | (() => string)): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`waited too long for ${typeof what === 'string' ? what : what()}`)), EXPECT_WITHIN_MS);
  });
  try {
    return await Promise.race([promise, guard]);
  } finally {
    clearTimeout(timer);
  }
}

/** Reads `count` deliveries, failing if they do not arrive within the guard. */
export async function take<S extends Subject>(subscription: Subscription<S>, count: number): Promise<Delivery<S>[]> {
  const iterator = subscription[Symbol.asyncIterator]();
  const out: Delivery<S>[] = [];
  const read = async (): Promise<Delivery<S>[]> => {
    while (out.length < count) {
      const next = await iterator.next();
      if (next.done) throw new Error(`subscription ended after ${out.length} of ${count} deliveries`);
      out.push(next.value);
    }
    return out;
  };
  return within(read(), () => `${count} deliveries on ${subscription.consumer}, got ${out.length}`);
}

export async function ackAll(deliveries: readonly Delivery[]): Promise<void> {
  for (const delivery of deliveries) await delivery.ack();
}
