/**
 * The aggregator as a real process on PostgreSQL and NATS: killed with -9 in
 * the middle of a round, restarted, it still holds every update it had
 * acknowledged, resumes the open round, and completes it.
 */
import { NatsEventBus, SUBJECT, type Delivery } from '@learnchain/bus';
import { clientStream, createClient, fromHex, loadConfig, serverStream, toHex, unary } from '@learnchain/core';
import { parameterBytes, parametersOf } from '@learnchain/model/encoding';
import { contracts } from '@learnchain/proto';

import { registryConfig } from '../../services/registry/src/config';
import { startRegistry, type RunningRegistry } from '../../services/registry/src/main';
import { chunks, delta, stubJob, submit, Trainer, type AggregatorClient } from '../../services/aggregator/src/__tests__/support/mesh';
import { ValidatorStub } from '../../services/aggregator/src/__tests__/support/validator-stub';
import { eventually, ServiceProcess } from '../support/processes';
import { describeWith, serviceUrl, uniqueName } from '../support/services';

jest.setTimeout(120_000);

describeWith(['postgres', 'nats'], 'aggregator process', () => {
  const chainId = uniqueName('chain').replace(/_/g, '-');
  const schema = uniqueName('aggregator').toLowerCase();
  const key = toHex(new Uint8Array(32).map((_, i) => (i * 7 + 3) & 0xff));
  const processes: ServiceProcess[] = [];
  const clients: AggregatorClient[] = [];
  const events: Delivery[] = [];
  let bus: NatsEventBus;
  let registry: RunningRegistry;
  let validator: ValidatorStub;
  const trainers: Trainer[] = [];

  beforeAll(async () => {
    bus = await NatsEventBus.create({ servers: serviceUrl('nats'), stream: 'learnchain_it', subjectsPrefix: chainId });
    void (async () => {
      for await (const event of await bus.subscribe({ from: 'all' })) {
        events.push(event);
        await event.ack();
      }
    })().catch(() => undefined);
    registry = await startRegistry(
      loadConfig(registryConfig, {
        env: { LEARNCHAIN_CHAIN_ID: chainId, LEARNCHAIN_REGISTRY_LISTEN: '127.0.0.1:0', DATABASE_URL: serviceUrl('postgres'), LEARNCHAIN_REGISTRY_SCHEMA: `${schema}_reg`, LEARNCHAIN_LEASE_TTL_MS: '600000', LEARNCHAIN_LOG_LEVEL: 'silent' },
      }),
      bus,
    );
    validator = await ValidatorStub.start(chainId);
    for (let i = 0; i < 3; i++) trainers.push(await Trainer.join(registry.address, chainId));
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    for (const proc of processes) await proc.stop().catch(() => undefined);
    await validator?.stop();
    await registry?.stop();
    await bus?.close();
  });

  async function startAggregator(): Promise<{ proc: ServiceProcess; client: AggregatorClient }> {
    const proc = await ServiceProcess.start({
      name: 'aggregator',
      entry: 'services/aggregator/src/main.ts',
      env: {
        LEARNCHAIN_CHAIN_ID: chainId,
        LEARNCHAIN_AGGREGATOR_LISTEN: '127.0.0.1:0',
        DATABASE_URL: serviceUrl('postgres'),
        LEARNCHAIN_AGGREGATOR_SCHEMA: schema,
        NATS_URL: serviceUrl('nats'),
        LEARNCHAIN_STREAM: 'learnchain_it',
        LEARNCHAIN_AGGREGATOR_CONSUMER: schema,
        LEARNCHAIN_REGISTRY: registry.address,
        LEARNCHAIN_VALIDATORS: validator.address,
        LEARNCHAIN_AGGREGATOR_KEY: key,
        LEARNCHAIN_ROUND_TICK_MS: '50',
        LEARNCHAIN_ROUND_GRACE_MS: '100',
      },
      ready: /aggregator running/,
    });
    processes.push(proc);
    const running = proc.logs('aggregator running')[0] as { address: string };
    const client = createClient(contracts().aggregator, running.address);
    clients.push(client);
    return { proc, client };
  }

  it('loses no acknowledged update when killed with -9 mid-round, and completes the round after a restart', async () => {
    const first = await startAggregator();
    const [a, b, c] = trainers as [Trainer, Trainer, Trainer];

    const initial = Float32Array.from([1, 1, 1]);
    const base = await stubJob(first.client, validator, { jobId: 'job-restart', rule: { name: 'fedavg' }, minTrainers: 3, roundDeadlineMs: 60_000, rounds: 1 }, initial);
    await bus.publish(SUBJECT.jobCreated, { chainId, jobId: 'job-restart', initialModelHash: fromHex(base) as Uint8Array, height: 1, rule: 'fedavg', minTrainers: 3, roundDeadlineMs: 60_000 });
    const opened = await eventually('round 1 open', async () => {
      const status = await unary(first.client, 'getRound', { jobId: 'job-restart', round: 0 }).catch(() => undefined);
      return status?.state === 'ROUND_STATE_OPEN' ? status : undefined;
    });
    expect([...opened.participants].sort()).toEqual(trainers.map((t) => t.nodeId).sort());

    const header = (t: Trainer, bytes: Uint8Array) => t.header({ chainId, jobId: 'job-restart', round: 1, baseModelHash: base, bytes, numSamples: 1 });
    const ua = delta([3, 0, 0]);
    const ub = delta([0, 3, 0]);
    const uc = delta([0, 0, 3]);
    expect((await submit(first.client, chunks(header(a, ua), ua))).duplicate).toBe(false);
    expect((await submit(first.client, chunks(header(b, ub), ub))).duplicate).toBe(false);

    // C is halfway through its upload when the process dies.
    const partial = clientStream(first.client, 'submitUpdate');
    const pieces = chunks(header(c, uc), uc, 8);
    await partial.write(pieces[0] ?? { data: Buffer.alloc(0) });
    await partial.write(pieces[1] ?? { data: Buffer.alloc(0) });

    await first.proc.kill();
    await partial.finish().then(
      () => {
        throw new Error('a stream cut by the crash must not be acknowledged');
      },
      () => undefined,
    );
    const second = await startAggregator();
    const resumed = await unary(second.client, 'getRound', { jobId: 'job-restart', round: 1 });
    expect(resumed.state).toBe('ROUND_STATE_OPEN');
    // Every acknowledged update is there; the cut stream left nothing.
    expect([...resumed.received].sort()).toEqual([a.nodeId, b.nodeId].sort());
    // The trainer that retries after the crash hears that its update is held.
    expect((await submit(second.client, chunks(header(a, ua), ua))).duplicate).toBe(true);
    expect((await submit(second.client, chunks(header(c, uc), uc))).duplicate).toBe(false);

    const done = await eventually('round 1 committed', async () => {
      const status = await unary(second.client, 'getRound', { jobId: 'job-restart', round: 1 });
      return status.state === 'ROUND_STATE_COMMITTED' ? status : undefined;
    });
    expect(done.result?.included.map((u) => u.nodeId).sort()).toEqual(trainers.map((t) => t.nodeId).sort());
    const result = validator.roundResults().find((r) => r.jobId === 'job-restart');
    expect(result && toHex(new Uint8Array(result.newModelHash))).toBe(toHex(new Uint8Array(done.result?.newModelHash ?? [])));
    const model = await (async () => {
      const parts: Buffer[] = [];
      for await (const m of serverStream(second.client, 'getBlob', { hash: done.result?.newModelHash ?? Buffer.alloc(0), chunkSize: 0 })) parts.push(m.data);
      return parametersOf(Buffer.concat(parts));
    })();
    expect(Array.from(model)).toEqual([2, 2, 2]);
    await eventually('round.committed on NATS', () => events.find((e) => e.subject === SUBJECT.roundCommitted && e.payload.jobId === 'job-restart'));
    expect(await second.proc.stop()).toBe(0);
  });

  it('resumes a round that closed but whose result was not committed when the process died, and submits it once', async () => {
    const first = await startAggregator();
    const base = await stubJob(first.client, validator, { jobId: 'job-closed', rule: { name: 'fedavg' }, minTrainers: 3, roundDeadlineMs: 60_000, rounds: 1 }, new Float32Array(3));
    await bus.publish(SUBJECT.jobCreated, { chainId, jobId: 'job-closed', initialModelHash: fromHex(base) as Uint8Array, height: 2, rule: 'fedavg', minTrainers: 3, roundDeadlineMs: 60_000 });
    await eventually('round 1 open', async () => {
      const status = await unary(first.client, 'getRound', { jobId: 'job-closed', round: 0 }).catch(() => undefined);
      return status?.state === 'ROUND_STATE_OPEN' ? status : undefined;
    });
    validator.mode = 'unavailable';
    for (const [i, t] of trainers.entries()) {
      const values = [0, 0, 0];
      values[i] = 3;
      const bytes = delta(values);
      await submit(first.client, chunks(t.header({ chainId, jobId: 'job-closed', round: 1, baseModelHash: base, bytes, numSamples: 1 }), bytes));
    }
    await eventually('round closed and aggregated, its submission failing', async () => {
      const status = await unary(first.client, 'getRound', { jobId: 'job-closed', round: 1 });
      return status.state === 'ROUND_STATE_CLOSED' && status.result ? status : undefined;
    });
    await first.proc.kill();
    validator.mode = 'commit';

    const second = await startAggregator();
    const done = await eventually('round 1 committed after the restart', async () => {
      const status = await unary(second.client, 'getRound', { jobId: 'job-closed', round: 1 });
      return status.state === 'ROUND_STATE_COMMITTED' ? status : undefined;
    });
    expect(validator.roundResults().filter((r) => r.jobId === 'job-closed')).toHaveLength(1);
    expect(done.result?.included).toHaveLength(3);
    expect(await second.proc.stop()).toBe(0);
  });
});
