import { LocalEventBus } from '../local/bus';
import { LocalBroker, type Timers } from '../local/store';

/** Timers driven by hand: nothing fires until `advance`. */
function manualTimers(): Timers & { advance(ms: number): void; readonly armed: number } {
  let now = 0;
  let nextId = 0;
  const due = new Map<number, { at: number; callback: () => void }>();
  return {
    setTimeout(callback, ms) {
      nextId += 1;
      due.set(nextId, { at: now + ms, callback });
      return nextId;
    },
    clearTimeout(handle) {
      due.delete(handle as number);
    },
    advance(ms) {
      now += ms;
      for (const [id, timer] of [...due].sort((a, b) => a[1].at - b[1].at)) {
        if (timer.at > now || !due.has(id)) continue;
        due.delete(id);
        timer.callback();
      }
    },
    get armed() {
      return due.size;
    },
  };
}

const block = (height: number) => ({
  chainId: 'c', height, blockHash: new Uint8Array(32), appHash: new Uint8Array(32), txCount: 0, time: height,
});

describe('LocalEventBus with injected timers', () => {
  it('redelivers exactly when the ack wait has passed, and clears timers on close', async () => {
    const timers = manualTimers();
    let clock = 1_000;
    const broker = new LocalBroker({ timers, clock: () => clock });
    const bus = await LocalEventBus.create({ broker, ackWaitMs: 500 });
    await bus.publish('learnchain.block.committed', block(1));
    const subscription = await bus.subscribe({ consumer: 'v' });
    const iterator = subscription[Symbol.asyncIterator]();

    const first = await iterator.next();
    expect(first.value?.deliveryCount).toBe(1);
    expect(first.value?.publishedAt).toBe(1_000);
    expect(timers.armed).toBe(1);

    let redelivered = false;
    const second = iterator.next().then((r) => {
      redelivered = true;
      return r;
    });
    timers.advance(499);
    await Promise.resolve();
    expect(redelivered).toBe(false);
    timers.advance(1);
    const again = await second;
    expect(again.value?.sequence).toBe(1);
    expect(again.value?.deliveryCount).toBe(2);

    await again.value?.nak(250);
    expect(timers.armed).toBe(1);
    const third = iterator.next();
    timers.advance(250);
    expect((await third).value?.deliveryCount).toBe(3);

    clock = 5_000;
    await bus.publish('learnchain.block.committed', block(2));
    broker.close();
    expect(timers.armed).toBe(0);
    expect((await iterator.next()).done).toBe(true);
    await bus.close();
  });

  it('holds back deliveries beyond maxAckPending until acks come in', async () => {
    const timers = manualTimers();
    const broker = new LocalBroker({ timers });
    const bus = await LocalEventBus.create({ broker });
    for (let h = 1; h <= 3; h += 1) await bus.publish('learnchain.block.committed', block(h));
    const subscription = await bus.subscribe({ consumer: 'v', maxAckPending: 2 });
    const iterator = subscription[Symbol.asyncIterator]();
    const one = await iterator.next();
    const two = await iterator.next();
    expect(timers.armed).toBe(2);
    let third = false;
    const pendingThird = iterator.next().then((r) => {
      third = true;
      return r;
    });
    await Promise.resolve();
    expect(third).toBe(false);
    await one.value?.ack();
    expect((await pendingThird).value?.sequence).toBe(3);
    await two.value?.ack();
    await bus.close();
    // The durable consumer outlives the bus: sequence 3 still waits for its ack.
    expect(timers.armed).toBe(1);
    broker.close();
    expect(timers.armed).toBe(0);
  });

  it('does not deliver again an unacknowledged event that aged out, and goes on to the next', async () => {
    const timers = manualTimers();
    let clock = 1_000;
    const broker = new LocalBroker({ timers, clock: () => clock });
    const bus = await LocalEventBus.create({ broker, ackWaitMs: 500, maxAgeMs: 2_000 });
    await bus.publish('learnchain.block.committed', block(1));
    const subscription = await bus.subscribe({ consumer: 'v', maxAckPending: 1 });
    const iterator = subscription[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.sequence).toBe(1);

    clock = 2_900;
    await bus.publish('learnchain.block.committed', block(2));
    clock = 3_000; // sequence 1 is now 2 s old
    const next = iterator.next();
    timers.advance(500); // its ack wait passes: it is due again, but gone
    const delivered = await next;
    expect(delivered.value?.sequence).toBe(2);
    expect(delivered.value?.deliveryCount).toBe(1);
    await delivered.value?.ack();
    await bus.close();
    broker.close();
  });
});
