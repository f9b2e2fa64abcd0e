/**
 * The whole mesh as real processes against real PostgreSQL and NATS, for the
 * fault suite: a genesis written by `learnchain genesis`'s library, validators,
 * a registry, an aggregator and trainers, each `services/<name>/src/main.ts` in
 * its own process with a unique chain id, schemas and stream. Any process can
 * be killed (-9), paused (SIGSTOP), resumed and started again on the same
 * address and database. Jobs are submitted as the devnet submits them, and the
 * invariants (invariants.ts) are checked over the public gRPC APIs only.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Pool } from 'pg';

import { createClient, Identity, unary } from '@learnchain/core';
import { parseGenesis, type Genesis } from '@learnchain/ledger';
import { parametersOf } from '@learnchain/model/encoding';
import { contracts, type v1 } from '@learnchain/proto';

import { writeGenesis, type GenesisFiles } from '../../cli/src/commands/genesis';
import { aggregatorClient, GrpcBlobs, type AggregatorClient } from '../../cli/src/devnet/blobs';
import { testAccuracy } from '../../cli/src/devnet/follow';
import { submitJob, type SubmittedJob } from '../../cli/src/devnet/job';
import { freePort } from '../../cli/src/devnet/mesh';
import { parseDevnetOptions, type DevnetOptions } from '../../cli/src/devnet/options';
import { acknowledgedUpdates, checkInvariants, nodeIdOf, type AcknowledgedUpdate, type InvariantReport, type ValidatorClient } from './invariants';
import { eventually, ServiceProcess } from './processes';
import { serviceUrl, uniqueName } from './services';


/** How a mesh is shaped: the devnet's flags (trainers, clients, byzantine, attack, rule, rounds, epochs, ...) and extra env per role. */
export interface MeshOptions {
  /** Devnet flags without dashes, e.g. { trainers: '3', rounds: '4', epochs: '1' }: they shape the trainers and the job alike. */
  readonly flags?: Readonly<Record<string, string>>;
  readonly validators?: number;
  readonly validatorEnv?: Readonly<Record<string, string>>;
  readonly aggregatorEnv?: Readonly<Record<string, string>>;
  readonly registryEnv?: Readonly<Record<string, string>>;
  /** How long a process may take to say it is ready (the machine is shared and slow). */
  readonly readyTimeoutMs?: number;
  /** The PostgreSQL database the services use (default: DATABASE_URL's). */
  readonly database?: string;
  /** The NATS server the services use (default: NATS_URL's). */
  readonly nats?: string;
}

/** A round as the chain committed it (QueryState jobs/ID/rounds/N, bytes as hex). */
export interface ChainRound {
  readonly round: number;
  readonly height: number;
  readonly parent: string;
  readonly model: string;
  readonly included: readonly { readonly nodeId: string; readonly updateHash: string; readonly decision: string }[];
  readonly excluded: readonly { readonly nodeId: string; readonly updateHash: string; readonly reason: string }[];
}

export class Mesh {
  readonly validators: (ServiceProcess | undefined)[] = [];
  readonly trainers: (ServiceProcess | undefined)[] = [];
  registry: ServiceProcess | undefined;
  aggregator: ServiceProcess | undefined;
  /** Every process ever started, dead or alive: each one's lines stay readable, and cleanup stops them all. */
  readonly started: ServiceProcess[] = [];
  readonly genesis: Genesis;
  private readonly clients: ValidatorClient[];
  private readonly paused = new Set<ServiceProcess>();
  /** Each trainer index's key seed (hex): a trainer started again at an index keeps its identity, as with a key file. */
  private readonly trainerSeeds = new Map<number, string>();
  readonly aggregatorApi: AggregatorClient;

  private constructor(
    readonly options: DevnetOptions,
    private readonly meshOptions: MeshOptions,
    readonly chainId: string,
    readonly dir: string,
    readonly files: GenesisFiles,
    private readonly tag: string,
    readonly validatorAddresses: readonly string[],
    readonly registryAddress: string,
    readonly aggregatorAddress: string,
  ) {
    this.genesis = parseGenesis(JSON.parse(readFileSync(files.genesisPath, 'utf8')));
    this.clients = validatorAddresses.map((a) => createClient(contracts().validator, a));
    this.aggregatorApi = aggregatorClient(aggregatorAddress);
  }

  /** Writes a genesis and starts the validators and the registry, then the aggregator, then the trainers. Stops what started if any part fails. */
  static async start(meshOptions: MeshOptions = {}): Promise<Mesh> {
    const options = parseDevnetOptions(new Map(Object.entries(meshOptions.flags ?? {})));
    const tag = uniqueName('fault').toLowerCase();
    const chainId = tag.replace(/_/g, '-');
    const dir = mkdtempSync(join(tmpdir(), 'learnchain-faults-'));
    const files = writeGenesis({ validators: meshOptions.validators ?? 4, out: dir, chainId });
    const ports = await Promise.all(Array.from({ length: (meshOptions.validators ?? 4) + 2 }, () => freePort()));
    const addresses = ports.map((p) => `127.0.0.1:${p}`);
    const mesh = new Mesh(options, meshOptions, chainId, dir, files, tag, addresses.slice(2), addresses[0] as string, addresses[1] as string);
    // Every start settles before a failure is thrown, so cleanup finds every process that did start.
    const all = async (starts: Promise<unknown>[]): Promise<void> => {
      const failed = (await Promise.allSettled(starts)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    };
    try {
      await all([mesh.startRegistry(), ...mesh.validatorAddresses.map((_, i) => mesh.startValidator(i))]);
      await mesh.startAggregator();
      await all(Array.from({ length: options.trainers }, (_, i) => mesh.startTrainer(i)));
      return mesh;
    } catch (error) {
      await mesh.cleanup();
      throw error;
    }
  }

  private common(): Record<string, string> {
    return { LEARNCHAIN_CHAIN_ID: this.chainId, LEARNCHAIN_LOG_LEVEL: 'info', LEARNCHAIN_STREAM: this.tag, DATABASE_URL: this.database, NATS_URL: this.meshOptions.nats ?? serviceUrl('nats') };
  }

  private async launch(name: string, entry: string, env: Record<string, string>, ready: RegExp): Promise<ServiceProcess> {
    const proc = await ServiceProcess.start({ name, entry, env, ready, timeoutMs: this.meshOptions.readyTimeoutMs ?? 120_000 });
    this.started.push(proc);
    return proc;
  }

  /** The PostgreSQL database every service of this mesh uses. */
  get database(): string {
    return this.meshOptions.database ?? serviceUrl('postgres');
  }

  /** The database schema of one service of this mesh (`aggregator`, `registry`, `validator_0`, …). */
  schema(name: string): string {
    return `${this.tag}_${name}`;
  }

  /** Starts validator i (again, after a kill: same key, address, schema and write-ahead log). */
  async startValidator(i: number): Promise<ServiceProcess> {
    const address = this.validatorAddresses[i] as string;
    const proc = await this.launch(`validator-${i}`, 'services/validator/src/main.ts', {
      ...this.common(),
      LEARNCHAIN_VALIDATOR_LISTEN: address,
      LEARNCHAIN_PEERS: this.validatorAddresses.filter((a) => a !== address).join(','),
      LEARNCHAIN_KEY_FILE: this.files.validatorKeys[i] as string,
      LEARNCHAIN_GENESIS_FILE: this.files.genesisPath,
      LEARNCHAIN_VALIDATOR_SCHEMA: this.schema(`validator_${i}`),
      LEARNCHAIN_WAL_DIR: join(this.dir, `validator-${i}-wal`),
      LEARNCHAIN_AGGREGATOR: this.aggregatorAddress,
      ...this.meshOptions.validatorEnv,
    }, /validator running/);
    this.validators[i] = proc;
    return proc;
  }

  async startRegistry(): Promise<ServiceProcess> {
    this.registry = await this.launch('registry', 'services/registry/src/main.ts', {
      ...this.common(),
      LEARNCHAIN_REGISTRY_LISTEN: this.registryAddress,
      LEARNCHAIN_REGISTRY_SCHEMA: this.schema('registry'),
      LEARNCHAIN_LEASE_TTL_MS: '5000',
      LEARNCHAIN_VALIDATORS: this.validatorAddresses.join(','),
      LEARNCHAIN_REGISTRY_KEY_FILE: this.files.registryKey,
      ...this.meshOptions.registryEnv,
    }, /registry running/);
    return this.registry;
  }

  /** Starts the aggregator (again, after a kill: same key, address, schema and durable consumer). */
  async startAggregator(): Promise<ServiceProcess> {
    this.aggregator = await this.launch('aggregator', 'services/aggregator/src/main.ts', {
      ...this.common(),
      LEARNCHAIN_AGGREGATOR_LISTEN: this.aggregatorAddress,
      LEARNCHAIN_AGGREGATOR_SCHEMA: this.schema('aggregator'),
      LEARNCHAIN_AGGREGATOR_CONSUMER: `${this.tag}_aggregator`,
      LEARNCHAIN_REGISTRY: this.registryAddress,
      LEARNCHAIN_VALIDATORS: this.validatorAddresses.join(','),
      LEARNCHAIN_AGGREGATOR_KEY_FILE: this.files.aggregatorKey,
      LEARNCHAIN_ROUND_GRACE_MS: '300',
      LEARNCHAIN_ROUND_RETRY_MS: '1000',
      LEARNCHAIN_ROUND_TICK_MS: '100',
      ...this.meshOptions.aggregatorEnv,
    }, /aggregator running/);
    return this.aggregator;
  }

  /** Trainer i's identity (its key is made by the mesh, so a test can sign as that member). */
  trainerIdentity(i: number): Identity {
    let seed = this.trainerSeeds.get(i);
    if (!seed) this.trainerSeeds.set(i, (seed = randomBytes(32).toString('hex')));
    return Identity.fromString(seed);
  }

  /** Starts trainer i on partition i of the devnet's partitioning, with its own key; `env` adds or overrides. */
  async startTrainer(i: number, env: Readonly<Record<string, string>> = {}): Promise<ServiceProcess> {
    const { options } = this;
    this.trainerIdentity(i);
    const proc = await this.launch(`trainer-${i}`, 'services/trainer/src/main.ts', {
      ...this.common(),
      LEARNCHAIN_REGISTRY: this.registryAddress,
      LEARNCHAIN_AGGREGATOR: this.aggregatorAddress,
      LEARNCHAIN_VALIDATORS: this.validatorAddresses.join(','),
      LEARNCHAIN_PARTITION: `dirichlet:${options.alpha}`,
      LEARNCHAIN_CLIENTS: String(options.clients),
      LEARNCHAIN_CLIENT_INDEX: String(i % options.clients),
      LEARNCHAIN_SEED: String(options.seed),
      LEARNCHAIN_DEVICE: 'cpu',
      LEARNCHAIN_ATTACK: i < options.byzantine ? options.attack : 'none',
      LEARNCHAIN_TRAINER_KEY: this.trainerSeeds.get(i) as string,
      ...env,
    }, /trainer running/);
    this.trainers[i] = proc;
    return proc;
  }

  /** A trainer process's node id (from its 'trainer running' line). */
  static nodeIdOf(proc: ServiceProcess): string {
    return nodeIdOf(proc);
  }

  /** kill -9. */
  async kill(proc: ServiceProcess | undefined): Promise<void> {
    if (!proc) throw new Error('no such process');
    this.paused.delete(proc);
    await proc.kill();
  }

  /** SIGSTOP. */
  pause(proc: ServiceProcess | undefined): void {
    if (!proc) throw new Error('no such process');
    proc.pause();
    this.paused.add(proc);
  }

  /** SIGCONT. */
  resume(proc: ServiceProcess | undefined): void {
    if (!proc) throw new Error('no such process');
    proc.resume();
    this.paused.delete(proc);
  }

  /** Validator i's API client. */
  validator(i: number): ValidatorClient {
    const client = this.clients[i];
    if (!client) throw new Error(`no validator ${i}`);
    return client;
  }

  async height(i: number): Promise<number> {
    return (await unary(this.validator(i), 'Status', {}, { deadlineMs: 5000 })).latestHeight;
  }

  /** Waits until validator i has committed `target`; resolves to its height then. */
  reaches(i: number, target: number, timeoutMs = 90_000): Promise<number> {
    return eventually(`validator ${i} at height ${target}`, async () => {
      const h = await this.height(i);
      return h >= target ? h : undefined;
    }, timeoutMs, 200);
  }

  /** A QueryState answer, parsed, from the first validator that answers (`from` first); undefined when the path does not exist. */
  async query<T>(path: string, from = 0): Promise<T | undefined> {
    const order = [from, ...this.clients.map((_, i) => i).filter((i) => i !== from)];
    let last: unknown;
    for (const i of order) {
      const proc = this.validators[i];
      if (!proc || this.paused.has(proc)) continue;
      try {
        return JSON.parse((await unary(this.validator(i), 'QueryState', { path }, { deadlineMs: 5000 })).json) as T;
      } catch (error) {
        if ((error as { code?: number }).code === 5) return undefined; // NOT_FOUND
        last = error;
      }
    }
    throw new Error(`no validator answered QueryState ${path}: ${String(last)}`);
  }

  /** Stores the initial model and validation set with the aggregator and commits CreateJob, as the devnet does. */
  submitJob(): Promise<SubmittedJob> {
    return submitJob(this.options, this.chainId, this.aggregatorApi, this.validatorAddresses[0] as string);
  }

  /** The aggregator's view of a round (0: the current one); undefined while it cannot answer. */
  async round(jobId: string, round = 0): Promise<v1.RoundStatus__Output | undefined> {
    return unary(this.aggregatorApi, 'getRound', { jobId, round }, { deadlineMs: 5000 }).catch(() => undefined);
  }

  /** Waits until round `round` of the job is committed on chain; resolves to the committed record. */
  async committed(jobId: string, round: number, timeoutMs = 180_000): Promise<ChainRound> {
    try {
      return await eventually(`round ${round} of ${jobId} committed on chain`, () => this.query<ChainRound>(`jobs/${jobId}/rounds/${round}`), timeoutMs, 250);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${await this.describe(jobId, round)}`);
    }
  }

  /** Where things stand, for a failure message: the aggregator's view of the round and each validator's height. */
  async describe(jobId: string, round: number): Promise<string> {
    const status = await this.round(jobId, round);
    const heights = await Promise.all(this.clients.map((_, i) => this.height(i).catch((error: unknown) => `unreachable (${String(error)})`)));
    const aggregator = status ? `${status.state}, attempt failure: ${status.failure || 'none'}, received ${status.received.length} of ${status.participants.length}` : 'no answer';
    return `aggregator round ${round}: ${aggregator}; validator heights: ${heights.join(', ')}`;
  }

  /** Test accuracy (2,000 MNIST test digits) of the model the chain committed for a round. */
  async accuracy(job: SubmittedJob, record: ChainRound): Promise<number> {
    const bytes = await new GrpcBlobs(this.aggregatorApi).fetchHex(record.model);
    return (await testAccuracy(job.model, parametersOf(bytes))).accuracy;
  }

  /** Every update any trainer of this mesh heard acknowledged. */
  acknowledged(jobId: string): AcknowledgedUpdate[] {
    return acknowledgedUpdates(this.started, jobId);
  }

  /** The names of the processes started so far that are no longer running (killed, stopped or crashed). */
  exited(): string[] {
    return this.started.filter((p) => !p.alive).map((p) => p.name);
  }

  /** The validators that are running and not paused. */
  live(): number[] {
    return this.validators.flatMap((p, i) => (p && !this.paused.has(p) && p.alive ? [i] : []));
  }

  /** The invariants (see invariants.ts) over this mesh's live validators and the job's committed rounds. */
  checkInvariants(jobId?: string): Promise<InvariantReport> {
    return checkInvariants(this, jobId);
  }

  /** With LEARNCHAIN_FAULT_LOGS=DIR, writes every process's output to DIR/<chain id>/<name>-<n>.log (to read after a failure). */
  private keepLogs(): void {
    const root = process.env.LEARNCHAIN_FAULT_LOGS;
    if (!root) return;
    const dir = join(root, this.chainId);
    mkdirSync(dir, { recursive: true });
    this.started.forEach((p, n) => writeFileSync(join(dir, `${p.name}-${n}.log`), `${p.lines.join('\n')}\n`));
  }

  /** Stops every process (resumed first if paused; killed if it does not stop in time), drops the schemas and the stream, removes the files. */
  async cleanup(): Promise<void> {
    const stop = async (proc: ServiceProcess): Promise<void> => {
      proc.resume();
      const stopped = proc.stop().then(() => true);
      const late = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 15_000).unref());
      if (!(await Promise.race([stopped, late]))) await proc.kill();
    };
    const byRole = (prefix: string): ServiceProcess[] => this.started.filter((p) => p.name.startsWith(prefix));
    await Promise.all(byRole('trainer-').map(stop));
    await Promise.all([...byRole('aggregator'), ...byRole('registry')].map(stop));
    await Promise.all(byRole('validator-').map(stop));
    this.keepLogs();
    for (const c of this.clients) c.close();
    this.aggregatorApi.close();
    const pool = new Pool({ connectionString: this.database, max: 1 });
    try {
      const schemas = await pool.query<{ name: string }>('SELECT schema_name AS name FROM information_schema.schemata WHERE schema_name LIKE $1', [`${this.tag}%`]);
      for (const { name } of schemas.rows) await pool.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
    } finally {
      await pool.end();
    }
    const nc = await connect({ servers: serviceUrl('nats') });
    try {
      await (await jetstreamManager(nc)).streams.delete(this.tag).catch(() => false);
    } finally {
      await nc.close();
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
