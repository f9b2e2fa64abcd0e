/**
 * An in-process mesh for the aggregator's tests: a local bus, a real registry
 * (startRegistry on PGlite), the Validator test server, and an aggregator on
 * PGlite; trainers that join the registry and sign updates.
 */
import { LocalEventBus, SUBJECT, type Delivery, type EventBus } from '@learnchain/bus';
import { clientStream, contentId, createClient, createLogger, fromHex, Identity, loadConfig, signStatement, unary, updateStatement } from '@learnchain/core';
import { MembershipClient } from '@learnchain/membership';
import { encodeUpdate, flatLayout, parameterBytes, type UpdateEncoding } from '@learnchain/model/encoding';
import { contracts, type v1 } from '@learnchain/proto';

import { registryConfig } from '../../../../registry/src/config';
import { startRegistry, type RunningRegistry } from '../../../../registry/src/main';
import { aggregatorConfig } from '../../config';
import { startAggregator, type RunningAggregator } from '../../main';
import { ValidatorStub, type StubJob } from './validator-stub';

export type AggregatorClient = InstanceType<ReturnType<typeof contracts>['aggregator']>;

const logger = createLogger({ service: 'aggregator-test', level: 'silent' });

export interface Mesh {
  readonly chainId: string;
  readonly bus: LocalEventBus;
  readonly registry: RunningRegistry;
  readonly validator: ValidatorStub;
  readonly aggregator: RunningAggregator;
  readonly client: AggregatorClient;
  readonly events: Delivery[];
  stop(): Promise<void>;
}

/** Starts registry, validator stub and aggregator; `aggregatorBus` may wrap the bus the aggregator publishes on (fault injection). */
export async function startMesh(env: Record<string, string> = {}, aggregatorBus: (bus: EventBus) => EventBus = (bus) => bus): Promise<Mesh> {
  const chainId = 'test-chain';
  const bus = await LocalEventBus.create({ subjectsPrefix: chainId });
  const registry = await startRegistry(
    loadConfig(registryConfig, { env: { LEARNCHAIN_CHAIN_ID: chainId, LEARNCHAIN_REGISTRY_LISTEN: '127.0.0.1:0', DATABASE_URL: 'pglite:memory', LEARNCHAIN_LEASE_TTL_MS: '600000', LEARNCHAIN_LOG_LEVEL: 'silent' } }),
    bus,
  );
  const validator = await ValidatorStub.start(chainId);
  const config = loadConfig(aggregatorConfig, {
    env: {
      LEARNCHAIN_CHAIN_ID: chainId,
      LEARNCHAIN_AGGREGATOR_LISTEN: '127.0.0.1:0',
      DATABASE_URL: 'pglite:memory',
      LEARNCHAIN_REGISTRY: registry.address,
      LEARNCHAIN_VALIDATORS: validator.address,
      LEARNCHAIN_CHUNK_BYTES: '4096',
      LEARNCHAIN_MAX_BLOB_BYTES: String(1024 * 1024),
      // Long enough that trainers sending one after another all make it in on a loaded machine (quorum can come early).
      LEARNCHAIN_ROUND_GRACE_MS: '3000',
      LEARNCHAIN_ROUND_RETRY_MS: '100',
      LEARNCHAIN_ROUND_TICK_MS: '25',
      LEARNCHAIN_LOG_LEVEL: 'silent',
      ...env,
    },
  });
  const aggregator = await startAggregator(config, { bus: aggregatorBus(bus), logger });
  const client = createClient(contracts().aggregator, aggregator.address);
  const events: Delivery[] = [];
  void (async () => {
    for await (const event of await bus.subscribe({ from: 'all' })) {
      events.push(event);
      await event.ack();
    }
  })().catch(() => undefined);
  return {
    chainId,
    bus,
    registry,
    validator,
    aggregator,
    client,
    events,
    async stop() {
      client.close();
      await aggregator.stop();
      await registry.stop();
      await validator.stop();
      await bus.close();
    },
  };
}

export interface HeaderFields {
  readonly chainId: string;
  readonly jobId: string;
  readonly round: number;
  readonly baseModelHash: string;
  readonly bytes: Uint8Array;
  readonly encoding?: UpdateEncoding;
  readonly numSamples?: number;
}

/** An update header signed by `identity` (its address as the node id). */
export function signedHeader(identity: Identity, fields: HeaderFields): v1.UpdateHeader {
  const encoding = fields.encoding ?? 'float32';
  const updateHash = fromHex(contentId(fields.bytes)) as Uint8Array;
  const baseModelHash = fromHex(fields.baseModelHash) as Uint8Array;
  const numSamples = fields.numSamples ?? 10;
  const statement = updateStatement({ chainId: fields.chainId, jobId: fields.jobId, round: fields.round, baseModelHash, updateHash, encoding, numSamples });
  return {
    chainId: fields.chainId,
    jobId: fields.jobId,
    round: fields.round,
    baseModelHash: Buffer.from(baseModelHash),
    updateHash: Buffer.from(updateHash),
    updateSize: fields.bytes.byteLength,
    encoding: encoding === 'float32' ? 'DTYPE_FLOAT32' : encoding === 'float16' ? 'DTYPE_FLOAT16' : 'DTYPE_INT8',
    numSamples,
    nodeId: identity.address,
    signature: { publicKey: Buffer.from(identity.publicKey), signature: Buffer.from(signStatement(identity, 'update', statement)) },
  };
}

/** A trainer: a registry member with a key that signs updates. */
export class Trainer {
  private constructor(
    readonly identity: Identity,
    readonly membership: MembershipClient,
  ) {}

  get nodeId(): string {
    return this.identity.address;
  }

  static async join(registry: string, chainId: string): Promise<Trainer> {
    const identity = Identity.generate();
    const membership = new MembershipClient({ registry, chainId, identity, role: 'trainer', logger });
    await membership.join();
    return new Trainer(identity, membership);
  }

  /** The header of an update, signed over what it says (fields may be overridden after signing). */
  header(fields: HeaderFields): v1.UpdateHeader {
    return signedHeader(this.identity, fields);
  }

}

/** Splits bytes into stream messages, the header on the first. */
export function chunks(header: v1.UpdateHeader | undefined, bytes: Uint8Array, size = 4096): v1.UpdateChunk[] {
  const out: v1.UpdateChunk[] = [];
  for (let at = 0; at < bytes.byteLength || out.length === 0; at += size) {
    out.push({ ...(out.length === 0 && header ? { header } : {}), data: Buffer.from(bytes.subarray(at, Math.min(bytes.byteLength, at + size))) });
  }
  return out;
}

/** Streams messages to SubmitUpdate and returns the answer (or throws the status). */
export async function submit(client: AggregatorClient, messages: readonly v1.UpdateChunk[]): Promise<v1.SubmitUpdateResponse__Output> {
  const upload = clientStream(client, 'submitUpdate', { deadlineMs: 10_000 });
  try {
    for (const message of messages) await upload.write(message);
  } catch {
    // the server answered early (a refusal): finish() reports it
  }
  return upload.finish();
}

/** Stores a blob that the job `jobId` names with PutBlob; returns its hash (hex). */
export async function putBlob(client: AggregatorClient, bytes: Uint8Array, kind: v1.BlobKind, jobId: string): Promise<string> {
  const hash = contentId(bytes);
  const upload = clientStream(client, 'putBlob', { deadlineMs: 10_000 });
  for (let at = 0, first = true; first || at < bytes.byteLength; at += 4096, first = false) {
    const data = Buffer.from(bytes.subarray(at, Math.min(bytes.byteLength, at + 4096)));
    await upload.write(first ? { header: { hash: Buffer.from(hash, 'hex'), size: bytes.byteLength, kind, jobId }, data } : { data });
  }
  await upload.finish();
  return hash;
}

/** Tells the ledger stub of a job whose initial parameters are `initial`, then stores them; returns their hash (hex). */
export async function stubJob(client: AggregatorClient, validator: ValidatorStub, job: Omit<StubJob, 'initialParametersHash'>, initial: Float32Array): Promise<string> {
  const bytes = parameterBytes(initial);
  validator.jobs.set(job.jobId, { ...job, initialParametersHash: contentId(bytes) });
  return putBlob(client, bytes, 'BLOB_KIND_PARAMETERS', job.jobId);
}

/** Publishes a job: the ledger stub told, its initial parameters stored, `job.created` on the bus. */
export async function createJob(mesh: Mesh, job: Omit<StubJob, 'initialParametersHash'>, initial: Float32Array): Promise<string> {
  const hash = await stubJob(mesh.client, mesh.validator, job, initial);
  await mesh.bus.publish(SUBJECT.jobCreated, {
    chainId: mesh.chainId,
    jobId: job.jobId,
    initialModelHash: fromHex(hash) as Uint8Array,
    height: 1,
    rule: job.rule.name,
    minTrainers: job.minTrainers,
    roundDeadlineMs: job.roundDeadlineMs,
  });
  return hash;
}

/** A float32 update of a flat model. */
export function delta(values: readonly number[]): Uint8Array {
  return encodeUpdate(Float32Array.from(values), flatLayout(values.length), 'float32');
}

export async function round(client: AggregatorClient, jobId: string, r = 0): Promise<v1.RoundStatus__Output | undefined> {
  return unary(client, 'getRound', { jobId, round: r }).catch(() => undefined);
}

export async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
