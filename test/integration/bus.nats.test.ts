/**
 * The EventBus contract against a real NATS JetStream server, plus what only a
 * real server shows: stream reuse, and consumers surviving a dropped connection.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { NatsEventBus, type EventBus } from '@learnchain/bus';
import { runBusAgeContract } from '../contracts/bus-age.contract';
import { runBusContract, type BusFixture } from '../contracts/bus.contract';
import { describeWith, serviceUrl, uniqueName } from '../support/services';

async function natsFixture(): Promise<BusFixture> {
  const servers = serviceUrl('nats');
  const admin: NatsConnection = await connect({ servers, name: 'bus-contract-admin' });
  const opened: EventBus[] = [];
  const streams = new Set<string>();
  return {
    async open(target, options) {
      streams.add(target.stream);
      const bus = await NatsEventBus.create({
        servers,
        stream: target.stream,
        subjectsPrefix: target.prefix,
        storage: 'memory',
        ...(options?.ackWaitMs === undefined ? {} : { ackWaitMs: options.ackWaitMs }),
        ...(options?.maxAgeMs === undefined ? {} : { maxAgeMs: options.maxAgeMs }),
      });
      opened.push(bus);
      return bus;
    },
    async injectRaw(target, subject, data) {
      const js = (await jetstreamManager(admin)).jetstream();
      await js.publish(`${target.prefix}.${subject}`, data, { expect: { streamName: target.stream } });
    },
    async close() {
      await Promise.allSettled(opened.map((bus) => bus.close()));
      const jsm = await jetstreamManager(admin);
      for (const stream of streams) await jsm.streams.delete(stream).catch(() => false);
      await admin.close();
    },
  };
}

describeWith(['nats'], 'NatsEventBus on NATS JetStream', () => {
  runBusContract('NatsEventBus', natsFixture);
  runBusAgeContract('NatsEventBus', natsFixture);

  describe('with a real server', () => {
    let admin: NatsConnection;
    const stream = uniqueName('busn');
    const prefix = uniqueName('n');

    beforeAll(async () => {
      admin = await connect({ servers: serviceUrl('nats'), name: 'bus-nats-admin' });
    });

    afterAll(async () => {
      await (await jetstreamManager(admin)).streams.delete(stream).catch(() => false);
      await admin.close();
    });

    it('creates the stream once and reuses it; a second bus adds nothing', async () => {
      const first = await NatsEventBus.create({ servers: serviceUrl('nats'), stream, subjectsPrefix: prefix, storage: 'memory' });
      const second = await NatsEventBus.create({ connection: admin, stream, subjectsPrefix: prefix, storage: 'memory' });
      const info = await (await jetstreamManager(admin)).streams.info(stream);
      expect(info.config.subjects).toEqual([`${prefix}.learnchain.>`]);
      const a = await first.publish('learnchain.round.failed', { chainId: 'c', jobId: 'j', round: 1, reason: 'r', willRetry: false });
      const b = await second.publish('learnchain.round.failed', { chainId: 'c', jobId: 'j', round: 2, reason: 'r', willRetry: true });
      expect(b.sequence).toBe(a.sequence + 1);
      await first.close();
      await second.close();
      expect(admin.isClosed()).toBe(false);
    });

    it('keeps a durable consumer on the server: a new connection resumes after the last ack', async () => {
      const bus = await NatsEventBus.create({ servers: serviceUrl('nats'), stream, subjectsPrefix: prefix, storage: 'memory' });
      const round = (r: number) => ({ chainId: 'c', jobId: 'j', round: r, reason: 'r', willRetry: false });
      const start = await bus.publish('learnchain.round.failed', round(10));
      await bus.publish('learnchain.round.failed', round(11));
      const subscription = await bus.subscribe({ consumer: 'survivor', subjects: ['learnchain.round.failed'], from: { sequence: start.sequence } });
      const iterator = subscription[Symbol.asyncIterator]();
      const first = await iterator.next();
      expect(first.value?.sequence).toBe(start.sequence);
      await first.value?.ack();
      await bus.close();

      const info = await (await jetstreamManager(admin)).consumers.info(stream, 'survivor');
      expect(info.ack_floor.stream_seq).toBe(start.sequence);

      const again = await NatsEventBus.create({ servers: serviceUrl('nats'), stream, subjectsPrefix: prefix, ackWaitMs: 300 });
      const resumed = await again.subscribe({ consumer: 'survivor', subjects: ['learnchain.round.failed'] });
      const next = await resumed[Symbol.asyncIterator]().next();
      expect(next.value?.sequence).toBe(start.sequence + 1);
      expect(next.value?.subject === 'learnchain.round.failed' && next.value.payload.round).toBe(11);
      await next.value?.ack();
      await again.close();
    });

    it('keeps a subscription delivering across a reconnect', async () => {
      const connection = await connect({ servers: serviceUrl('nats'), name: 'bus-reconnect', reconnectTimeWait: 100 });
      const bus = await NatsEventBus.create({ connection, stream, subjectsPrefix: prefix });
      const block = (height: number) => ({
        chainId: 'c', height, blockHash: new Uint8Array(32), appHash: new Uint8Array(32), txCount: 0, time: height,
      });
      const subscription = await bus.subscribe({ consumer: 'reconnecting', subjects: ['learnchain.block.committed'], from: 'new' });
      const iterator = subscription[Symbol.asyncIterator]();
      const before = await bus.publish('learnchain.block.committed', block(1));
      const first = await iterator.next();
      expect(first.value?.sequence).toBe(before.sequence);
      await first.value?.ack();

      const reconnected = (async () => {
        for await (const status of connection.status()) if (status.type === 'reconnect') return;
      })();
      await connection.reconnect();
      await reconnected;
      const after = await bus.publish('learnchain.block.committed', block(2));
      const second = await iterator.next();
      expect(second.value?.sequence).toBe(after.sequence);
      await second.value?.ack();
      await bus.close();
      await connection.close();
    });
  });
});
