/**
 * Round events go through an outbox: written in the transaction of the state
 * they announce, published by a relay that retries what failed. A crash (or a
 * failed publish) between the commit and the publish loses no event.
 */
import { LocalEventBus, SUBJECT, type EventBus, type PayloadOf } from '@learnchain/bus';
import { createLogger } from '@learnchain/core';
import { openStorage, type Storage } from '@learnchain/storage';

import { RoundObserver, AggregatorMetrics } from '../metrics';
import { EventRelay } from '../relay';
import { EventOutbox, outboxEvent, type OutboxEvent, type PublishEvent } from '../store/outbox';
import type { RoundOpening } from '../store/records';
import { RoundStore } from '../store/rounds';
import type { AggregatorDb } from '../store/schema';
import { chunks, createJob, delta, round as roundStatus, startMesh, submit, Trainer, until, type Mesh } from './support/mesh';

jest.setTimeout(60_000);

const logger = createLogger({ service: 'outbox-test', level: 'silent' });

function opening(round: number, attempt = 1): RoundOpening {
  return { jobId: 'j', round, attempt, baseModelHash: 'ab'.repeat(32), epoch: 1, participants: [], openedAtMs: 1, deadlineMs: 2 };
}

function opened(round: number, attempt = 1): OutboxEvent {
  const payload: PayloadOf<typeof SUBJECT.roundOpened> = { chainId: 'c', jobId: 'j', round, baseModelHash: new Uint8Array(32).fill(0xab), deadlineMs: 2, participants: [], epoch: 1 };
  return outboxEvent(SUBJECT.roundOpened, payload, `j/${round}/${attempt}/opened`);
}

describe('the round event outbox', () => {
  let storage: Storage<AggregatorDb>;
  let store: RoundStore;

  beforeAll(async () => {
    storage = await openStorage<AggregatorDb>({ url: 'pglite:memory', schema: 'outbox_test' });
    store = await RoundStore.create(storage);
  });
  afterAll(async () => {
    await storage.close();
  });

  it('writes an event only with the state change it announces', async () => {
    const outbox = store.outbox();
    const before = await outbox.pending();
    expect(await store.open(opening(1), opened(1))).toBe(true);
    expect(await outbox.pending()).toBe(before + 1);
    // Opening the same round again changes nothing, so it announces nothing.
    expect(await store.open(opening(1), opened(1, 2))).toBe(false);
    expect(await outbox.pending()).toBe(before + 1);
  });

  it('keeps an event whose publish failed, and the next pass publishes it and the later ones in order', async () => {
    const outbox = store.outbox();
    await outbox.drain(async () => undefined);
    expect(await store.fail('j', 1, 1, 'no trainers', 10, outboxEvent(SUBJECT.roundFailed, { chainId: 'c', jobId: 'j', round: 1, reason: 'no trainers', willRetry: true }, 'j/1/1/failed'))).toBe(true);
    expect(await store.open(opening(1, 2), opened(1, 2))).toBe(true);
    await expect(outbox.drain(async () => Promise.reject(new Error('bus down')))).rejects.toThrow(/bus down/);
    expect(await outbox.pending()).toBe(2);

    const seen: string[] = [];
    let calls = 0;
    // The first publish goes out, the second fails: only the first is marked.
    await expect(
      outbox.drain(async (e) => {
        calls += 1;
        if (calls === 2) throw new Error('bus down');
        seen.push(e.msgId);
      }),
    ).rejects.toThrow(/bus down/);
    expect(seen).toEqual(['j/1/1/failed']);
    expect(await outbox.pending()).toBe(1);
    expect(await outbox.drain(async (e) => void seen.push(e.msgId))).toBe(1);
    expect(seen).toEqual(['j/1/1/failed', 'j/1/2/opened']);
    expect(await outbox.pending()).toBe(0);
  });

  it('a relay sweep reads the outbox after a failed pass, and otherwise only once its interval has passed', async () => {
    /** The outbox, counting its reads. */
    class CountedOutbox extends EventOutbox {
      reads = 0;
      override drain(publish: PublishEvent, limit?: number): Promise<number> {
        this.reads += 1;
        return super.drain(publish, limit);
      }
    }
    const outbox = new CountedOutbox(storage.db);
    await outbox.drain(async () => undefined);
    const failures: string[] = [];
    const bus = failingOnce(SUBJECT.roundOpened, failures)(await LocalEventBus.create({ subjectsPrefix: 'c' }));
    let now = 1_000;
    const relay = new EventRelay({ outbox, bus, chainId: 'c', logger, observer: new RoundObserver('c', new AggregatorMetrics()), sweepMs: 10_000, clock: () => now });
    try {
      expect(await store.open(opening(3), opened(3))).toBe(true);
      await relay.kick();
      expect(failures).toEqual(['c/j/3/1/opened']);
      expect(await outbox.pending()).toBe(1);

      // The failed pass left the event: the next sweep publishes it.
      await relay.sweep();
      expect(await outbox.pending()).toBe(0);
      const reads = outbox.reads;
      await relay.sweep();
      now += 9_999;
      await relay.sweep();
      expect(outbox.reads).toBe(reads);
      // Past the interval a sweep reads again (what another replica may have left).
      now += 1;
      await relay.sweep();
      expect(outbox.reads).toBe(reads + 1);
    } finally {
      await bus.close();
    }
  });

  it('a relay started after a crash publishes what the crashed process committed but never sent, with the payload intact', async () => {
    expect(await store.open(opening(2), opened(2))).toBe(true); // committed; the process "dies" before publishing
    const bus = await LocalEventBus.create({ subjectsPrefix: 'c' });
    try {
      const relay = new EventRelay({ outbox: store.outbox(), bus, chainId: 'c', logger, observer: new RoundObserver('c', new AggregatorMetrics()) });
      await relay.kick();
      const subscription = await bus.subscribe({ from: 'all', subjects: [SUBJECT.roundOpened] });
      const deliveries = [];
      for await (const d of subscription) {
        deliveries.push(d);
        await d.ack();
        if (d.payload.round === 2) break;
      }
      const last = deliveries[deliveries.length - 1];
      expect(last?.payload).toMatchObject({ jobId: 'j', round: 2, epoch: 1 });
      expect(Buffer.from(last?.payload.baseModelHash ?? []).toString('hex')).toBe('ab'.repeat(32));
      expect(await store.outbox().pending()).toBe(0);
    } finally {
      await bus.close();
    }
  });
});

/** A bus whose first publish of `subject` fails: the process dies between the commit and the publish. */
function failingOnce(subject: string, failures: string[]): (bus: EventBus) => EventBus {
  return (bus) =>
    new Proxy(bus, {
      get(target, property, receiver) {
        if (property !== 'publish') return Reflect.get(target, property, receiver) as unknown;
        return (s: typeof SUBJECT.roundClosed, payload: PayloadOf<typeof SUBJECT.roundClosed>, options?: { msgId?: string }) => {
          if (s === subject && failures.length === 0) {
            failures.push(options?.msgId ?? '');
            return Promise.reject(new Error('connection lost'));
          }
          return target.publish(s, payload, options);
        };
      },
    });
}

describe('round.closed through the outbox', () => {
  let mesh: Mesh;
  const failures: string[] = [];

  beforeAll(async () => {
    mesh = await startMesh({}, failingOnce(SUBJECT.roundClosed, failures));
  });
  afterAll(async () => {
    await mesh?.stop();
  });

  it('is published after its first publish failed, and the round still commits', async () => {
    const trainers = [await Trainer.join(mesh.registry.address, mesh.chainId), await Trainer.join(mesh.registry.address, mesh.chainId)];
    const base = await createJob(mesh, { jobId: 'outbox', rule: { name: 'fedavg' }, minTrainers: 2, roundDeadlineMs: 600_000 }, Float32Array.from([1, 2]));
    await until('round 1 open', async () => ((await roundStatus(mesh.client, 'outbox'))?.state === 'ROUND_STATE_OPEN' ? true : undefined));
    for (const [i, t] of trainers.entries()) {
      const bytes = delta([0.5, i]);
      await submit(mesh.client, chunks(t.header({ chainId: mesh.chainId, jobId: 'outbox', round: 1, baseModelHash: base, bytes }), bytes));
    }
    const closed = await until('round.closed published', async () => mesh.events.find((e) => e.subject === SUBJECT.roundClosed && 'jobId' in e.payload && e.payload.jobId === 'outbox'));
    expect(failures).toEqual([`${mesh.chainId}/outbox/1/1/closed`]);
    expect(closed.payload).toMatchObject({ round: 1, closedBy: 'quorum' });
    await until('round 1 committed', async () => ((await roundStatus(mesh.client, 'outbox', 1))?.state === 'ROUND_STATE_COMMITTED' ? true : undefined));
    await until('round.committed published', async () => mesh.events.find((e) => e.subject === SUBJECT.roundCommitted && 'jobId' in e.payload && e.payload.jobId === 'outbox'));
    expect(mesh.events.filter((e) => e.subject === SUBJECT.roundClosed && 'jobId' in e.payload && e.payload.jobId === 'outbox')).toHaveLength(1);
  });
});
