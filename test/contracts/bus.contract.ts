/**
 * The EventBus contract: the promises every adapter keeps. Run against the
 * local adapter (packages/bus/src/__tests__) and against NATS JetStream
 * (test/integration/bus.nats.test.ts).
 */
import { context, propagation, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BusClosedError,
  InvalidNameError,
  MalformedEventError,
  traceContextOf,
  UnknownSubjectError,
  type Delivery,
  type EventBus,
  type RoundClosed,
  type RoundOpened,
  type Subject,
  type Subscription,
} from '@learnchain/bus';
import { ackAll, blockCommitted, hash, roundOpened, SHORT_ACK_WAIT_MS, take, within } from './bus.helpers';
import { uniqueName } from '../support/services';

/** Where a bus lives: a stream and a subject prefix. */
export interface BusTarget {
  readonly stream: string;
  readonly prefix: string;
}

/** One test's view of a transport (one LocalBroker, or one NATS server). */
export interface BusFixture {
  /** Opens a bus client on `target`; several may be open on one target at once. */
  open(target: BusTarget, options?: { readonly ackWaitMs?: number; readonly maxAgeMs?: number }): Promise<EventBus>;
  /** Stores raw bytes under `target`'s prefix and event `subject`, bypassing the codec. */
  injectRaw(target: BusTarget, subject: string, data: Uint8Array): Promise<void>;
  /** Closes whatever the fixture opened and removes what it created. */
  close(): Promise<void>;
}

export function runBusContract(name: string, createFixture: () => Promise<BusFixture>): void {
  describe(`EventBus contract: ${name}`, () => {
    let fixture: BusFixture;
    let target: BusTarget;
    let bus: EventBus;

    beforeEach(async () => {
      fixture = await createFixture();
      target = { stream: uniqueName('busc'), prefix: uniqueName('t') };
      bus = await fixture.open(target);
    });

    afterEach(async () => {
      await fixture.close();
    });

    it('round-trips a typed payload with its envelope', async () => {
      const sent = roundOpened(7);
      const headers = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
      const ack = await bus.publish('learnchain.round.opened', sent, { headers });
      const subscription = await bus.subscribe({ subjects: ['learnchain.round.opened'] });
      const [delivery] = await take(subscription, 1);
      expect(delivery?.subject).toBe('learnchain.round.opened');
      expect(delivery?.sequence).toBe(ack.sequence);
      expect(delivery?.payload).toEqual(sent);
      expect(delivery?.payload.baseModelHash).toBeInstanceOf(Uint8Array);
      expect(delivery?.headers).toEqual(headers);
      expect(delivery?.deliveryCount).toBe(1);
      expect(Number.isSafeInteger(delivery?.publishedAt)).toBe(true);
      expect(Math.abs((delivery?.publishedAt ?? 0) - Date.now())).toBeLessThan(10 * 60_000);
      await delivery?.ack();
      await subscription.close();
    });

    it('carries the publisher\'s trace context in headers, and a caller\'s own traceparent wins', async () => {
      const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED });
      const managed = new AsyncLocalStorageContextManager().enable();
      context.setGlobalContextManager(managed);
      propagation.setGlobalPropagator(new W3CTraceContextPropagator());
      try {
        await context.with(ctx, () => bus.publish('learnchain.round.opened', roundOpened(1)));
        const own = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
        await context.with(ctx, () => bus.publish('learnchain.round.opened', roundOpened(2), { headers: { traceparent: own } }));
        await bus.publish('learnchain.round.opened', roundOpened(3));
        const subscription = await bus.subscribe({ subjects: ['learnchain.round.opened'] });
        const [first, second, third] = await take(subscription, 3);
        expect(first?.headers.traceparent).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
        expect(trace.getSpanContext(traceContextOf(first as Delivery))?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
        expect(second?.headers.traceparent).toBe(own);
        // Outside any span an event carries no trace context.
        expect(third?.headers).toEqual({});
        expect(trace.getSpanContext(traceContextOf(third as Delivery))).toBeUndefined();
      } finally {
        propagation.disable();
        context.disable();
      }
    });

    it('delivers in publish order, across subjects and within a subject filter', async () => {
      const sequences: number[] = [];
      for (let i = 1; i <= 24; i += 1) {
        const ack = i % 3 === 0
          ? await bus.publish('learnchain.block.committed', blockCommitted(i))
          : await bus.publish('learnchain.round.opened', roundOpened(i));
        sequences.push(ack.sequence);
      }
      expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
      expect(new Set(sequences).size).toBe(24);

      const all = await bus.subscribe();
      const got = await take(all, 24);
      expect(got.map((d) => d.sequence)).toEqual(sequences);
      expect(got.map((d) => (d.subject === 'learnchain.block.committed' ? d.payload.height : d.subject === 'learnchain.round.opened' ? d.payload.round : -1)))
        .toEqual(sequences.map((_, i) => i + 1));
      await ackAll(got);
      await all.close();

      const rounds = await bus.subscribe({ subjects: ['learnchain.round.opened'] });
      const roundsGot = await take(rounds, 16);
      expect(roundsGot.every((d) => d.subject === 'learnchain.round.opened')).toBe(true);
      expect(roundsGot.map((d) => d.payload.round)).toEqual([1, 2, 4, 5, 7, 8, 10, 11, 13, 14, 16, 17, 19, 20, 22, 23]);
      await ackAll(roundsGot);
      await rounds.close();

      const failed = await bus.publish('learnchain.round.failed', { chainId: 'c', jobId: 'j', round: 25, reason: 'lost', willRetry: true });
      const last = await bus.publish('learnchain.block.committed', blockCommitted(26));
      const two = await bus.subscribe({ subjects: ['learnchain.round.failed', 'learnchain.block.committed'] });
      const twoGot = await take(two, 10);
      expect(twoGot.map((d) => d.sequence)).toEqual([...sequences.filter((_, i) => (i + 1) % 3 === 0), failed.sequence, last.sequence]);
      expect(new Set(twoGot.map((d) => d.subject))).toEqual(new Set(['learnchain.round.failed', 'learnchain.block.committed']));
      await ackAll(twoGot);
      await two.close();
    });

    it('a durable consumer resumes where it left off, after re-subscribe and after a restart', async () => {
      const sequences: number[] = [];
      for (let h = 1; h <= 5; h += 1) sequences.push((await bus.publish('learnchain.block.committed', blockCommitted(h))).sequence);

      const first = await bus.subscribe({ consumer: 'validator-a', ackWaitMs: SHORT_ACK_WAIT_MS });
      await ackAll(await take(first, 2));
      await first.close();

      // Deliveries given back on close may come again in any order (at least once): read,
      // acking each, until all of 3..5 arrived; the acknowledged 1..2 must never reappear.
      const second = await bus.subscribe({ consumer: 'validator-a', ackWaitMs: SHORT_ACK_WAIT_MS });
      const wanted = new Set(sequences.slice(2));
      const seen: number[] = [];
      while (wanted.size > 0) {
        const [delivery] = await take(second, 1);
        if (!delivery) break;
        seen.push(delivery.sequence);
        wanted.delete(delivery.sequence);
        await delivery.ack();
      }
      expect(seen.every((s) => sequences.slice(2).includes(s))).toBe(true);
      expect([...new Set(seen)].sort((a, b) => a - b)).toEqual(sequences.slice(2));
      await second.close();
      await bus.close();

      const restarted = await fixture.open(target);
      const sixth = await restarted.publish('learnchain.block.committed', blockCommitted(6));
      const third = await restarted.subscribe({ consumer: 'validator-a', ackWaitMs: SHORT_ACK_WAIT_MS });
      const [next] = await take(third, 1);
      expect(next?.sequence).toBe(sixth.sequence);
      expect(next?.deliveryCount).toBe(1);
      await next?.ack();
      await third.close();
    });

    it('delivers an unacknowledged event again after the ack wait, and not after an ack', async () => {
      const first = await bus.publish('learnchain.round.opened', roundOpened(1));
      const subscription = await bus.subscribe({ consumer: 'trainer-a', ackWaitMs: SHORT_ACK_WAIT_MS });
      const [once] = await take(subscription, 1);
      expect(once?.sequence).toBe(first.sequence);
      expect(once?.deliveryCount).toBe(1);
      const [twice] = await take(subscription, 1);
      expect(twice?.sequence).toBe(first.sequence);
      expect(twice?.deliveryCount).toBe(2);
      expect(twice?.payload).toEqual(roundOpened(1));
      await twice?.ack();

      const sentinel = await bus.publish('learnchain.round.opened', roundOpened(2));
      const [after] = await take(subscription, 1);
      expect(after?.sequence).toBe(sentinel.sequence);
      await after?.ack();
      await subscription.close();
    });

    it('nak asks for redelivery without waiting for the ack wait', async () => {
      const sent = await bus.publish('learnchain.block.committed', blockCommitted(1));
      const subscription = await bus.subscribe({ consumer: 'registry-a', ackWaitMs: 60_000 });
      const [once] = await take(subscription, 1);
      expect(once?.deliveryCount).toBe(1);
      await once?.nak();
      const [again] = await take(subscription, 1);
      expect(again?.sequence).toBe(sent.sequence);
      expect(again?.deliveryCount).toBe(2);
      await again?.ack();
      await subscription.close();
    });

    it('replays exactly the events from a given sequence', async () => {
      const sequences: number[] = [];
      for (let h = 1; h <= 6; h += 1) sequences.push((await bus.publish('learnchain.block.committed', blockCommitted(h))).sequence);
      const from = sequences[2] ?? 0;
      const replay = await bus.subscribe({ from: { sequence: from } });
      const got = await take(replay, 4);
      expect(got.map((d) => d.sequence)).toEqual(sequences.slice(2));
      expect(got.map((d) => (d.subject === 'learnchain.block.committed' ? d.payload.height : 0))).toEqual([3, 4, 5, 6]);
      const sentinel = await bus.publish('learnchain.block.committed', blockCommitted(7));
      const [next] = await take(replay, 1);
      expect(next?.sequence).toBe(sentinel.sequence);
      await ackAll([...got, ...(next ? [next] : [])]);
      await replay.close();

      const fresh = await bus.subscribe({ from: 'new' });
      const later = await bus.publish('learnchain.block.committed', blockCommitted(8));
      const [only] = await take(fresh, 1);
      expect(only?.sequence).toBe(later.sequence);
      await only?.ack();
      await fresh.close();
    });

    it('starts a new consumer at the first event stored at or after a time, and refuses a time that is none', async () => {
      const pause = () => new Promise((resolve) => setTimeout(resolve, 30));
      for (let h = 1; h <= 3; h += 1) await bus.publish('learnchain.block.committed', blockCommitted(h));
      await pause();
      const since = Date.now();
      await pause();
      const later: number[] = [];
      for (let h = 4; h <= 6; h += 1) later.push((await bus.publish('learnchain.block.committed', blockCommitted(h))).sequence);
      const replay = await bus.subscribe({ consumer: 'since-a-time', from: { time: since } });
      const got = await take(replay, 3);
      expect(got.map((d) => d.sequence)).toEqual(later);
      await ackAll(got);
      await replay.close();
      // A time after every stored event: from the next one stored (the start is fixed when the consumer is made).
      const ahead = await bus.subscribe({ from: { time: Date.now() + 60_000 } });
      const next = await bus.publish('learnchain.block.committed', blockCommitted(7));
      const [only] = await take(ahead, 1);
      expect(only?.sequence).toBe(next.sequence);
      await only?.ack();
      await ahead.close();
      for (const time of [-1, 1.5, Number.NaN]) await expect(bus.subscribe({ from: { time } })).rejects.toMatchObject({ name: 'InvalidOptionError', option: 'from.time' });
    });

    it('rejects malformed payloads at publish, naming subject and field, and stores nothing', async () => {
      const bad = (payload: object) => payload as unknown as RoundOpened;
      await expect(bus.publish('learnchain.round.opened', bad({ ...roundOpened(1), baseModelHash: new Uint8Array(3) })))
        .rejects.toMatchObject({ name: 'MalformedEventError', subject: 'learnchain.round.opened', field: 'baseModelHash' });
      const { participants: _, ...noParticipants } = roundOpened(1);
      await expect(bus.publish('learnchain.round.opened', bad(noParticipants)))
        .rejects.toMatchObject({ field: 'participants', reason: 'is required' });
      await expect(bus.publish('learnchain.round.opened', bad({ ...roundOpened(1), round: -1 })))
        .rejects.toMatchObject({ field: 'round' });
      await expect(bus.publish('learnchain.round.opened', bad({ ...roundOpened(1), participants: ['a', 7] })))
        .rejects.toMatchObject({ field: 'participants[1]' });
      const closed: RoundClosed = {
        chainId: 'c', jobId: 'j', round: 1, closedBy: 'quorum', excluded: [],
        included: [{ nodeId: 'a', updateHash: hash('a') }, { nodeId: 'b', updateHash: new Uint8Array(31) }],
      };
      await expect(bus.publish('learnchain.round.closed', closed)).rejects.toBeInstanceOf(MalformedEventError);
      await expect(bus.publish('learnchain.round.closed', closed)).rejects.toMatchObject({ field: 'included[1].updateHash' });
      await expect(bus.publish('learnchain.nope' as Subject, roundOpened(1))).rejects.toBeInstanceOf(UnknownSubjectError);
      await expect(bus.publish('learnchain.round.opened', roundOpened(1), { headers: { 'Nats-Msg-Id': 'x' } }))
        .rejects.toBeInstanceOf(InvalidNameError);

      const first = await bus.publish('learnchain.round.opened', roundOpened(1));
      const subscription = await bus.subscribe();
      const [only] = await take(subscription, 1);
      expect(only?.sequence).toBe(first.sequence);
      await only?.ack();
      await subscription.close();
    });

    it('rejects malformed stored messages at decode, reports them once and goes on', async () => {
      const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
      await fixture.injectRaw(target, 'learnchain.block.committed', json({ ...blockCommitted(1), height: -1, blockHash: 'aa' }));
      await fixture.injectRaw(target, 'learnchain.block.committed', new TextEncoder().encode('{not json'));
      await fixture.injectRaw(target, 'learnchain.block.committed', json({ ...blockCommitted(1), blockHash: 'AB'.repeat(32), appHash: 'ab'.repeat(32) }));
      await fixture.injectRaw(target, 'learnchain.unheard.of', json({}));
      const good = await bus.publish('learnchain.block.committed', blockCommitted(2));

      const reported: MalformedEventError[] = [];
      const tolerant = await bus.subscribe({ consumer: 'tolerant', onMalformed: (error) => reported.push(error) });
      const [delivery] = await take(tolerant, 1);
      expect(delivery?.sequence).toBe(good.sequence);
      expect(reported.map((e) => [e.subject, e.field])).toEqual([
        ['learnchain.block.committed', 'height'],
        ['learnchain.block.committed', '(payload)'],
        ['learnchain.block.committed', 'blockHash'],
        ['learnchain.unheard.of', 'subject'],
      ]);
      await delivery?.ack();
      await tolerant.close();

      const filteredErrors: string[] = [];
      const filtered = await bus.subscribe({
        consumer: 'filtered',
        subjects: ['learnchain.block.committed'],
        onMalformed: (error) => filteredErrors.push(error.field),
      });
      const [fromFiltered] = await take(filtered, 1);
      expect(fromFiltered?.sequence).toBe(good.sequence);
      expect(filteredErrors).toEqual(['height', '(payload)', 'blockHash']);
      await fromFiltered?.ack();
      await filtered.close();

      // Without onMalformed the iterator throws; the bad message is terminated, so the
      // durable consumer never sees it again.
      const strict = await bus.subscribe({ consumer: 'strict', ackWaitMs: SHORT_ACK_WAIT_MS });
      await expect(take(strict, 1)).rejects.toMatchObject({ name: 'MalformedEventError', field: 'height' });
      await strict.close();
      // Given-back deliveries may return in any order, so wait until every remaining
      // bad message was reported and the good one delivered.
      const later: string[] = [];
      const delivered = new Set<number>();
      let finish = (): void => undefined;
      const finished = new Promise<void>((resolve) => (finish = resolve));
      const check = (): void => {
        if (later.length >= 3 && delivered.has(good.sequence)) finish();
      };
      const resumed = await bus.subscribe({
        consumer: 'strict',
        ackWaitMs: SHORT_ACK_WAIT_MS,
        onMalformed: (error) => {
          later.push(error.field);
          check();
        },
      });
      const loop = (async () => {
        for await (const delivery of resumed) {
          delivered.add(delivery.sequence);
          await delivery.ack();
          check();
        }
      })();
      await within(finished, 'the rest of the stream on the strict consumer');
      await resumed.close();
      await loop;
      expect(later.sort()).toEqual(['(payload)', 'blockHash', 'subject']);
      expect([...delivered]).toEqual([good.sequence]);
    });

    it('keeps buses with different prefixes apart, even on one stream', async () => {
      const other = await fixture.open({ stream: target.stream, prefix: uniqueName('u') });
      const elsewhere = await fixture.open({ stream: uniqueName('busc'), prefix: uniqueName('v') });
      const mine = await bus.subscribe({ consumer: 'watcher' });
      const theirs = await other.subscribe({ consumer: 'watcher-2' });

      const a1 = await bus.publish('learnchain.block.committed', blockCommitted(1));
      await other.publish('learnchain.block.committed', blockCommitted(101));
      await elsewhere.publish('learnchain.block.committed', blockCommitted(201));
      await other.publish('learnchain.round.opened', roundOpened(102));
      const a2 = await bus.publish('learnchain.block.committed', blockCommitted(2));

      const got = await take(mine, 2);
      expect(got.map((d) => d.sequence)).toEqual([a1.sequence, a2.sequence]);
      expect(got.map((d) => (d.subject === 'learnchain.block.committed' ? d.payload.height : 0))).toEqual([1, 2]);
      const seen = await take(theirs, 2);
      expect(seen.map((d) => d.subject)).toEqual(['learnchain.block.committed', 'learnchain.round.opened']);
      await ackAll([...got, ...seen]);
      await mine.close();
      await theirs.close();
    });

    it('deduplicates publishes that carry the same msgId', async () => {
      const once = await bus.publish('learnchain.round.opened', roundOpened(1), { msgId: 'round-1-open' });
      const twice = await bus.publish('learnchain.round.opened', roundOpened(1), { msgId: 'round-1-open' });
      expect(once.duplicate).toBe(false);
      expect(twice).toEqual({ sequence: once.sequence, duplicate: true });
      const next = await bus.publish('learnchain.round.opened', roundOpened(2), { msgId: 'round-2-open' });
      expect(next.sequence).toBeGreaterThan(once.sequence);
      const subscription = await bus.subscribe();
      const got = await take(subscription, 2);
      expect(got.map((d) => d.sequence)).toEqual([once.sequence, next.sequence]);
      await ackAll(got);
      await subscription.close();
    });

    it('ends subscriptions on abort, on close and on bus close; refuses work once closed', async () => {
      const controller = new AbortController();
      const aborted = await bus.subscribe({ signal: controller.signal });
      const closed = await bus.subscribe({ consumer: 'closer' });
      const byBus = await bus.subscribe({ consumer: 'by-bus' });
      const drain = async (subscription: Subscription): Promise<number> => {
        let n = 0;
        for await (const delivery of subscription) {
          n += 1;
          // An ack racing the bus's close may go unconfirmed; the event then comes again later.
          await delivery.ack().catch(() => undefined);
        }
        return n;
      };
      const loops = [drain(aborted), drain(closed), drain(byBus)];
      await bus.publish('learnchain.block.committed', blockCommitted(1));
      controller.abort();
      await closed.close();
      await bus.close();
      const counts = await Promise.all(loops);
      expect(counts.every((n) => n === 0 || n === 1)).toBe(true);
      await expect(bus.publish('learnchain.block.committed', blockCommitted(2))).rejects.toBeInstanceOf(BusClosedError);
      await expect(bus.subscribe()).rejects.toBeInstanceOf(BusClosedError);
      await bus.close();

      const preAborted = new AbortController();
      preAborted.abort();
      const reopened = await fixture.open(target);
      const never = await reopened.subscribe({ signal: preAborted.signal });
      expect(await drain(never)).toBe(0);
    });
  });
}
