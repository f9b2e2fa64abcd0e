/**
 * The trainer against a real registry and a test server implementing the
 * Aggregator contract (and the Validator's QueryState): it joins, hears
 * round.opened on the bus, fetches the base model by hash, trains on its own
 * shard, and uploads a signed update that verifies and decodes to a delta of
 * the model's size. In process on the local bus always; as a real process on
 * NATS (SIGTERM, Leave, restart catching up on its durable consumer) when
 * NATS is available.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

import { LocalBroker, LocalEventBus, NatsEventBus, SUBJECT, type EventBus, type RoundOpened } from '@learnchain/bus';
import { createClient, createLogger, Identity, loadConfig, sha256, toHex, unary, updateStatement, verifyStatement } from '@learnchain/core';
import { buildModel, decodeUpdate } from '@learnchain/model';
import { contracts } from '@learnchain/proto';

import { registryConfig } from '../../services/registry/src/config';
import { startRegistry, type RunningRegistry } from '../../services/registry/src/main';
import { BaseModelHashMismatchError, GpuRequiredError, startTrainer, trainerConfig, type RoundOutcome } from '../../services/trainer/src';
import { eventually, ServiceProcess } from '../support/processes';
import { describeWith, serviceUrl, uniqueName } from '../support/services';
import { AggregatorStub, type ReceivedUpdate } from './trainer-aggregator-stub';

jest.setTimeout(120_000);

const MiB = 1024 * 1024;
const CHUNK = 256 * 1024;
const model = buildModel('mlp', { seed: 11 });

function parameterBytes(values: Float32Array): Uint8Array {
  const out = new Uint8Array(4 * values.length);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setFloat32(4 * i, v, true));
  return out;
}

/** The ledger's JobRecord shape: the CreateJob under `spec`, enums by name. */
function jobRecord(jobId: string): unknown {
  const manifest = { tensors: model.manifest.entries.map((e) => ({ name: e.name, shape: e.shape, offset: e.offset })), totalElements: model.manifest.size };
  return { jobId, round: 0, spec: { jobId, model: 'mlp', manifest, hyperParameters: { localEpochs: 1, batchSize: 50, learningRate: 0.05, momentum: 0, proximalMu: 0 }, updateEncoding: 'DTYPE_FLOAT32', minTrainers: 1 } };
}

function roundOpened(chainId: string, jobId: string, round: number, baseModelHash: Uint8Array, participants: string[], deadlineMs = Date.now() + 60_000): RoundOpened {
  return { chainId, jobId, round, baseModelHash, deadlineMs, participants, epoch: 1 };
}

async function startTestRegistry(chainId: string): Promise<RunningRegistry> {
  return startRegistry(
    loadConfig(registryConfig, {
      env: { LEARNCHAIN_CHAIN_ID: chainId, LEARNCHAIN_REGISTRY_LISTEN: '127.0.0.1:0', DATABASE_URL: 'pglite:memory', LEARNCHAIN_LEASE_TTL_MS: '5000', LEARNCHAIN_LOG_LEVEL: 'silent' },
    }),
  );
}

async function memberStatus(registry: string, nodeId: string): Promise<string | undefined> {
  const client = createClient(contracts().registry, registry);
  try {
    const listed = await unary(client, 'list', {});
    return listed.members.find((m) => m.nodeId === nodeId)?.status;
  } finally {
    client.close();
  }
}

/** The checks every honest update must pass. */
function expectVerifiedUpdate(got: ReceivedUpdate, chainId: string, jobId: string, round: number, baseHash: Uint8Array, publicKey: Uint8Array): void {
  const h = got.header;
  expect(h).toMatchObject({ chainId, jobId, round, encoding: 'DTYPE_FLOAT32' });
  expect(toHex(new Uint8Array(h.baseModelHash))).toBe(toHex(baseHash));
  expect(toHex(new Uint8Array(h.updateHash))).toBe(toHex(sha256(got.bytes)));
  expect(toHex(new Uint8Array(h.signature!.publicKey))).toBe(toHex(publicKey));
  const statement = updateStatement({ chainId, jobId, round, baseModelHash: baseHash, updateHash: sha256(got.bytes), encoding: 'float32', numSamples: h.numSamples });
  expect(verifyStatement(publicKey, 'update', statement, new Uint8Array(h.signature!.signature))).toBe(true);
  expect(h.numSamples).toBeGreaterThan(0);
  const delta = decodeUpdate(got.bytes, model.manifest);
  expect(delta.length).toBe(model.manifest.size);
  expect(delta.every(Number.isFinite)).toBe(true);
  expect(delta.some((v) => v !== 0)).toBe(true);
  expect(got.headerAlone).toBe(true);
  expect(Math.max(...got.chunkSizes)).toBeLessThanOrEqual(CHUNK);
  expect(got.chunkSizes).toHaveLength(Math.ceil(got.bytes.byteLength / CHUNK));
}

describe('trainer in process, local bus', () => {
  const chainId = uniqueName('tchain').replace(/_/g, '-');
  const jobId = 'job-local';
  let registry: RunningRegistry;
  let stub: AggregatorStub;
  let broker: LocalBroker;
  let publisher: EventBus;
  let baseHash: Uint8Array;

  beforeAll(async () => {
    registry = await startTestRegistry(chainId);
    stub = await AggregatorStub.start({ chainId, jobs: { [jobId]: jobRecord(jobId) }, maxChunkBytes: MiB, maxMessageBytes: 4 * MiB });
    baseHash = stub.put(parameterBytes(model.initialParams));
    broker = new LocalBroker();
    publisher = await LocalEventBus.create({ broker, subjectsPrefix: chainId });
  });

  afterAll(async () => {
    await publisher?.close();
    await stub?.stop();
    await registry?.stop();
  });

  it('trains only in its rounds, uploads a verified update, refuses a base model that fails its hash, and leaves', async () => {
    const outcomes: RoundOutcome[] = [];
    const config = loadConfig(trainerConfig, {
      env: {
        LEARNCHAIN_CHAIN_ID: chainId,
        LEARNCHAIN_REGISTRY: registry.address,
        LEARNCHAIN_AGGREGATOR: stub.address,
        LEARNCHAIN_VALIDATORS: stub.address,
        LEARNCHAIN_PARTITION: 'iid',
        LEARNCHAIN_CLIENTS: '40',
        LEARNCHAIN_CLIENT_INDEX: '2',
        LEARNCHAIN_DEVICE: 'cpu',
        LEARNCHAIN_CHUNK_BYTES: String(CHUNK),
      },
    });
    const bus = await LocalEventBus.create({ broker, subjectsPrefix: chainId });
    const running = await startTrainer(config, { bus, logger: createLogger({ service: 'trainer', level: 'silent' }), onOutcome: (o) => outcomes.push(o) });
    try {
      expect(await memberStatus(registry.address, running.nodeId)).toBe('MEMBER_STATUS_ACTIVE');
      await publisher.publish(SUBJECT.roundOpened, roundOpened(chainId, jobId, 1, baseHash, ['someone-else']));
      await publisher.publish(SUBJECT.roundOpened, roundOpened(chainId, jobId, 2, baseHash, [running.nodeId], Date.now() - 1000));
      await publisher.publish(SUBJECT.roundOpened, roundOpened(chainId, jobId, 3, baseHash, ['someone-else', running.nodeId]));
      await eventually('an update', () => (stub.received.length > 0 ? true : undefined));
      expect(stub.received).toHaveLength(1);
      expectVerifiedUpdate(stub.received[0]!, chainId, jobId, 3, baseHash, running.identity.publicKey);
      expect(stub.received[0]!.header.nodeId).toBe(running.nodeId);
      expect(stub.received[0]!.header.numSamples).toBe(200);
      expect(outcomes.slice(0, 2)).toEqual([
        { kind: 'skipped', reason: 'not-a-participant' },
        { kind: 'skipped', reason: 'deadline-passed' },
      ]);

      // A store that serves other bytes under the base hash: the trainer refuses them and uploads nothing.
      const lie = sha256(Uint8Array.of(1, 2, 3));
      stub.putUnder(lie, parameterBytes(model.initialParams));
      await publisher.publish(SUBJECT.roundOpened, roundOpened(chainId, jobId, 4, lie, [running.nodeId]));
      const failed = await eventually('round 4 outcome', () => (outcomes.length >= 4 ? outcomes[3] : undefined));
      expect(failed.kind === 'failed' && failed.error).toBeInstanceOf(BaseModelHashMismatchError);
      expect(stub.received).toHaveLength(1);
    } finally {
      await running.stop();
      await bus.close();
    }
    expect(running.node.lifecycle).toBe('stopped');
    expect(await memberStatus(registry.address, running.nodeId)).toBe('MEMBER_STATUS_LEFT');
  });

  it('logs its device and attack at start: CUDA asked for without CUDA falls back with a warning, or fails with --require-gpu', async () => {
    const env = { LEARNCHAIN_CHAIN_ID: chainId, LEARNCHAIN_REGISTRY: registry.address, LEARNCHAIN_AGGREGATOR: stub.address, LEARNCHAIN_VALIDATORS: stub.address, LEARNCHAIN_CLIENTS: '40', LEARNCHAIN_DEVICE: 'cuda' };
    const noCuda = async () => ({ provider: 'cpu' as const, reason: 'CUDA execution provider requested but unavailable (no libcudart)' });
    const records: Array<Record<string, unknown>> = [];
    const logger = createLogger({ service: 'trainer', level: 'info', destination: { write: (line: string) => void records.push(JSON.parse(line) as Record<string, unknown>) } });
    const config = loadConfig(trainerConfig, { env: { ...env, LEARNCHAIN_ATTACK: 'sign-flip' } });
    const bus = await LocalEventBus.create({ broker, subjectsPrefix: chainId });
    const running = await startTrainer(config, { bus, logger, probeCuda: noCuda });
    await running.stop();
    expect(running.provider).toBe('cpu');
    expect(records.find((r) => r.msg === 'execution provider')).toMatchObject({ provider: 'cpu', requested: 'cuda' });
    expect(records.some((r) => r.level === 40 && /CUDA unavailable, falling back to CPU: .*no libcudart/.test(String(r.msg)))).toBe(true);
    expect(records.some((r) => r.level === 40 && /ATTACK MODE SIGN-FLIP/.test(String(r.msg)))).toBe(true);

    const strict = loadConfig(trainerConfig, { env: { ...env, LEARNCHAIN_REQUIRE_GPU: 'true' } });
    await expect(startTrainer(strict, { bus, logger, probeCuda: noCuda })).rejects.toBeInstanceOf(GpuRequiredError);
    await bus.close();
  });
});

describeWith(['nats'], 'trainer process, NATS', () => {
  const chainId = uniqueName('tchain').replace(/_/g, '-');
  const stream = uniqueName('trainer_it');
  const jobId = 'job-nats';
  const seed = Identity.generate().toKeyFile().privateKey;
  const identity = Identity.fromString(seed);
  let registry: RunningRegistry;
  let stub: AggregatorStub;
  let bus: NatsEventBus;
  let baseHash: Uint8Array;
  const processes: ServiceProcess[] = [];

  function start(): Promise<ServiceProcess> {
    return ServiceProcess.start({
      name: 'trainer',
      entry: 'services/trainer/src/main.ts',
      env: {
        LEARNCHAIN_CHAIN_ID: chainId,
        LEARNCHAIN_REGISTRY: registry.address,
        LEARNCHAIN_AGGREGATOR: stub.address,
        LEARNCHAIN_VALIDATORS: stub.address,
        NATS_URL: serviceUrl('nats'),
        LEARNCHAIN_STREAM: stream,
        LEARNCHAIN_TRAINER_KEY: seed,
        LEARNCHAIN_PARTITION: 'dirichlet:0.5',
        LEARNCHAIN_CLIENTS: '40',
        LEARNCHAIN_CLIENT_INDEX: '5',
        LEARNCHAIN_SEED: '3',
        LEARNCHAIN_CHUNK_BYTES: String(CHUNK),
        LEARNCHAIN_LOG_LEVEL: 'info',
      },
      ready: /trainer running/,
      timeoutMs: 60_000,
    }).then((proc) => {
      processes.push(proc);
      return proc;
    });
  }

  beforeAll(async () => {
    registry = await startTestRegistry(chainId);
    stub = await AggregatorStub.start({ chainId, jobs: { [jobId]: jobRecord(jobId) }, maxChunkBytes: MiB, maxMessageBytes: 4 * MiB });
    baseHash = stub.put(parameterBytes(model.initialParams));
    bus = await NatsEventBus.create({ servers: serviceUrl('nats'), stream, subjectsPrefix: chainId, storage: 'memory' });
  });

  afterAll(async () => {
    for (const proc of processes) await proc.stop().catch(() => undefined);
    await bus?.close();
    await stub?.stop();
    await registry?.stop();
    // The stream is this suite's alone: dropping it drops the trainer's durable consumer too.
    const nc = await connect({ servers: serviceUrl('nats') });
    await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
    await nc.close();
  });

  it('uploads a verified update, leaves on SIGTERM, and after a restart catches up on a round opened while it was down', async () => {
    const first = await start();
    const running = first.logs('trainer running')[0] as { nodeId: string; provider: string };
    expect(running.nodeId).toBe(identity.address);
    expect(first.logs('execution provider')[0]).toMatchObject({ provider: running.provider });
    await eventually('membership', async () => ((await memberStatus(registry.address, running.nodeId)) === 'MEMBER_STATUS_ACTIVE' ? true : undefined));

    await bus.publish(SUBJECT.roundOpened, roundOpened(chainId, jobId, 1, baseHash, [running.nodeId]));
    await eventually('round 1 update', () => (stub.received.some((u) => u.header.round === 1) ? true : undefined), 60_000);
    expectVerifiedUpdate(stub.received.find((u) => u.header.round === 1)!, chainId, jobId, 1, baseHash, identity.publicKey);

    expect(await first.stop()).toBe(0);
    expect(first.lines.some((l) => l.includes('trainer stopped'))).toBe(true);
    expect(await memberStatus(registry.address, running.nodeId)).toBe('MEMBER_STATUS_LEFT');

    // Opened while the trainer is down: its durable consumer holds the event until it is back.
    await bus.publish(SUBJECT.roundOpened, roundOpened(chainId, jobId, 2, baseHash, [running.nodeId]));
    const second = await start();
    await eventually('round 2 update after restart', () => (stub.received.some((u) => u.header.round === 2) ? true : undefined), 60_000);
    expectVerifiedUpdate(stub.received.find((u) => u.header.round === 2)!, chainId, jobId, 2, baseHash, identity.publicKey);
    // Round 1 was acknowledged before the restart: it is not trained again.
    expect(stub.received.filter((u) => u.header.round === 1)).toHaveLength(1);
    expect(await second.stop()).toBe(0);
  });
});
