/**
 * The EventBus contract for a stream's age limit: events older than it are
 * forgotten, as JetStream's max_age does, so a stream that takes a block event
 * every height does not grow for ever. Run against the local adapter and NATS
 * with the fixtures of bus.contract.ts.
 */
import type { EventBus } from '@learnchain/bus';
import type { BusFixture, BusTarget } from './bus.contract';
import { blockCommitted, EXPECT_WITHIN_MS, SHORT_ACK_WAIT_MS, take } from './bus.helpers';
import { uniqueName } from '../support/services';

const MAX_AGE_MS = 1_000;

/** The height of the oldest block event a new consumer of `bus` is given first. */
async function oldestKept(bus: EventBus): Promise<number> {
  const subscription = await bus.subscribe({ subjects: ['learnchain.block.committed'], from: 'all' });
  try {
    const [first] = await take(subscription, 1);
    return first?.payload.height ?? 0;
  } finally {
    await subscription.close();
  }
}

/**
 * Waits out the age limit, then publishes the block event of `height` (and of
 * the next heights, a limit apart, while older ones are still found) until a
 * new consumer starts at the one just published: every older event aged out.
 * Returns that height. (Each check's event is fresh, so a check never waits on
 * an empty stream.)
 */
async function untilAgedOut(bus: EventBus, from: number): Promise<number> {
  const deadline = Date.now() + MAX_AGE_MS + EXPECT_WITHIN_MS;
  for (let height = from; ; height += 1) {
    await new Promise((resolve) => setTimeout(resolve, MAX_AGE_MS + 100));
    await bus.publish('learnchain.block.committed', blockCommitted(height));
    if ((await oldestKept(bus)) === height) return height;
    if (Date.now() > deadline) throw new Error(`events older than ${MAX_AGE_MS} ms were still kept`);
  }
}

export function runBusAgeContract(name: string, createFixture: () => Promise<BusFixture>): void {
  describe(`EventBus contract, age limit: ${name}`, () => {
    let fixture: BusFixture;
    let target: BusTarget;

    beforeEach(async () => {
      fixture = await createFixture();
      target = { stream: uniqueName('busa'), prefix: uniqueName('a') };
    });

    afterEach(async () => {
      await fixture.close();
    });

    it('forgets events past the age limit: new consumers start after them, a lagging durable one passes over them', async () => {
      const bus = await fixture.open(target, { maxAgeMs: MAX_AGE_MS });
      for (let h = 1; h <= 3; h += 1) await bus.publish('learnchain.block.committed', blockCommitted(h));
      // One delivery at a time, left unacknowledged: height 1 waits for its ack, heights 2 and 3 were never delivered.
      const flow = { subjects: ['learnchain.block.committed' as const], maxAckPending: 1, ackWaitMs: SHORT_ACK_WAIT_MS };
      const lagging = await bus.subscribe({ consumer: 'lagging', from: 'all', ...flow });
      const [first] = await take(lagging, 1);
      expect(first?.payload.height).toBe(1);
      await lagging.close();

      const kept = await untilAgedOut(bus, 4);
      // Every older event aged out while the durable consumer was away, the one it was given included: it resumes at the oldest kept.
      const resumed = await bus.subscribe({ consumer: 'lagging', ...flow });
      const [next] = await take(resumed, 1);
      expect(next?.payload.height).toBe(kept);
      await next?.ack();
      await resumed.close();
    });

    it('sets the limit on a stream that exists without one', async () => {
      const unlimited = await fixture.open(target);
      await unlimited.publish('learnchain.block.committed', blockCommitted(1));
      await new Promise((resolve) => setTimeout(resolve, MAX_AGE_MS + 100));
      await unlimited.publish('learnchain.block.committed', blockCommitted(2));
      expect(await oldestKept(unlimited)).toBe(1);

      const limited = await fixture.open(target, { maxAgeMs: MAX_AGE_MS });
      const kept = await untilAgedOut(limited, 3);
      // A bus that names no limit leaves the stream's as it is.
      const another = await fixture.open(target);
      await untilAgedOut(another, kept + 1);
    });

    it(`refuses an age limit under ${MAX_AGE_MS} ms or past 10^12 ms, naming the option`, async () => {
      for (const maxAgeMs of [1, 999, -1, 1.5, 1e12 + 1]) {
        await expect(fixture.open(target, { maxAgeMs })).rejects.toMatchObject({ name: 'InvalidOptionError', option: 'maxAgeMs' });
      }
    });
  });
}
