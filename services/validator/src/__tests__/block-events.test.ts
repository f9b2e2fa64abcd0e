/**
 * Block events when the event stream fails: every block's events go out once
 * the bus takes them again, in height order, instead of being dropped; a
 * validator that stops gives up what the bus still refuses after a grace.
 */
import { LocalEventBus, MalformedEventError, PublishFailedError, SUBJECT, type EventBus } from '@learnchain/bus';
import { createLogger } from '@learnchain/core';

import { BlockEvents, type AnnouncedBlock } from '../block-events';

const logger = createLogger({ service: 'validator', level: 'silent' });
const CHAIN = 'events-chain';

const block = (height: number): AnnouncedBlock => ({ height, hash: new Uint8Array(32).fill(height), appHash: new Uint8Array(32), timeMs: 1_000 + height, txs: [], outcomes: [] });

/** A bus whose publishes fail while `down` says so. */
function flaky(inner: EventBus, down: () => boolean): EventBus & { attempts: number } {
  const bus = {
    attempts: 0,
    publish: ((subject, payload, options) => {
      bus.attempts += 1;
      return down() ? Promise.reject(new PublishFailedError(subject, { cause: new Error('no responders') })) : inner.publish(subject, payload, options);
    }) as EventBus['publish'],
    subscribe: (options) => inner.subscribe(options),
    close: () => inner.close(),
  } satisfies EventBus & { attempts: number };
  return bus;
}

async function heights(bus: EventBus, count: number): Promise<number[]> {
  const subscription = await bus.subscribe({ subjects: [SUBJECT.blockCommitted], from: 'all' });
  const seen: number[] = [];
  for await (const delivery of subscription) {
    seen.push(delivery.payload.height);
    await delivery.ack();
    if (seen.length === count) break;
  }
  await subscription.close();
  return seen;
}

describe('BlockEvents', () => {
  let local: LocalEventBus;
  beforeEach(async () => {
    local = await LocalEventBus.create({ subjectsPrefix: CHAIN });
  });
  afterEach(() => local.close());

  it('publishes the events of blocks committed while the stream was down, in order, once it is back', async () => {
    let down = true;
    const bus = flaky(local, () => down);
    const events = new BlockEvents(bus, CHAIN, logger);
    for (let h = 1; h <= 5; h += 1) events.announce(block(h));
    while (bus.attempts < 3) await new Promise((resolve) => setTimeout(resolve, 20));
    down = false;
    await events.drain();
    expect(await heights(local, 5)).toEqual([1, 2, 3, 4, 5]);
  });

  it('skips the events of a block the bus refuses outright (not a stream that is down), and goes on', async () => {
    let refused = 0;
    const bus: EventBus = {
      publish: (subject, payload, options) => {
        if ((payload as { height?: number }).height === 2) {
          refused += 1;
          return Promise.reject(new MalformedEventError(subject, 'height', 'refused for the test'));
        }
        return local.publish(subject, payload, options);
      },
      subscribe: (options) => local.subscribe(options),
      close: () => local.close(),
    };
    const events = new BlockEvents(bus, CHAIN, logger);
    for (let h = 1; h <= 3; h += 1) events.announce(block(h));
    await events.drain();
    expect(refused).toBe(1);
    expect(await heights(local, 2)).toEqual([1, 3]);
  });

  it('gives up, when draining, the events the stream still refuses after the grace', async () => {
    const bus = flaky(local, () => true);
    const events = new BlockEvents(bus, CHAIN, logger);
    events.announce(block(1));
    events.announce(block(2));
    await events.drain(300);
    const tried = bus.attempts;
    expect(tried).toBeGreaterThan(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(bus.attempts).toBe(tried);
  });
});
