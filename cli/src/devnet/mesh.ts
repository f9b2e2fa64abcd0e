/**
 * The whole mesh: validators, a registry, an aggregator and trainers, each
 * with its own gRPC server on loopback, its own database (embedded PGlite by
 * default, a schema each on PostgreSQL otherwise) and a bus over one shared
 * in-process broker (or NATS). One plan of settings per service, as the
 * environment variables of the README's configuration reference, is either
 * started in this process or, with --processes, as one child process per
 * service. Stops in order: trainers, aggregator, registry, validators.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { LocalBroker, LocalEventBus, NatsEventBus, type EventBus } from '@learnchain/bus';
import { DEFAULT_EVENTS_MAX_AGE_MS, loadConfig, LOG_LEVELS } from '@learnchain/core';
import { parseGenesis, type Genesis } from '@learnchain/ledger';

import { writeGenesis, type GenesisFiles } from '../commands/genesis';
import { ChildService, type ServiceName } from './children';
import type { DevnetOptions } from './options';
import { services } from './services';

/** A part of the mesh that serves gRPC. */
export interface MeshNode {
  readonly address: string;
}

/** A running mesh and how to stop it. */
export interface Mesh {
  readonly dir: string;
  readonly chainId: string;
  readonly genesis: Genesis;
  readonly files: GenesisFiles;
  readonly validators: readonly MeshNode[];
  readonly registry: MeshNode;
  readonly aggregator: MeshNode;
  /** How many trainers run. */
  readonly trainers: number;
  /** Stops every part in order (trainers, aggregator, registry, validators); safe to call twice. */
  stop(): Promise<void>;
}

/** A free loopback port (asked of the OS, then released for the service to take). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface Stoppable {
  stop(): Promise<void>;
}

/** What has started, stopped in the devnet's order whatever got this far. */
class Parts {
  readonly validators: Stoppable[] = [];
  readonly trainers: Stoppable[] = [];
  readonly buses: EventBus[] = [];
  registry: Stoppable | undefined;
  aggregator: Stoppable | undefined;
  private stopping: Promise<void> | undefined;

  stop(): Promise<void> {
    const quietly = async (what: Promise<void> | undefined): Promise<void> => {
      await what?.catch(() => undefined);
    };
    return (this.stopping ??= (async () => {
      await Promise.all(this.trainers.map((t) => quietly(t.stop())));
      await quietly(this.aggregator?.stop());
      await quietly(this.registry?.stop());
      await Promise.all(this.validators.map((v) => quietly(v.stop())));
      for (const b of this.buses) await quietly(b.close());
    })());
  }
}

function logLevel(level: string): (typeof LOG_LEVELS)[number] {
  return (LOG_LEVELS as readonly string[]).includes(level) ? (level as (typeof LOG_LEVELS)[number]) : 'error';
}

/** Every service's settings, as environment variables. */
export interface MeshPlan {
  readonly validators: readonly { readonly address: string; readonly env: Record<string, string> }[];
  readonly registry: { readonly address: string; readonly env: Record<string, string> };
  readonly aggregator: { readonly address: string; readonly env: Record<string, string> };
  readonly trainers: readonly Record<string, string>[];
}

/**
 * onnxruntime threads per operator for the devnet's trainers and validators:
 * they share this machine's cores, where the default pools (one thread per
 * core each, spinning when idle) take CPU from one another.
 */
const ONE_THREAD = '1';

/** The settings of every service of a devnet on the given addresses. */
export function planMesh(options: DevnetOptions, p: { tag: string; chainId: string; dir: string; files: GenesisFiles; genesisJson: string; validators: readonly string[]; registry: string; aggregator: string }): MeshPlan {
  const schema = (name: string): string => (options.database ? `devnet_${p.tag}_${name}` : name);
  const common: Record<string, string> = { LEARNCHAIN_CHAIN_ID: p.chainId, LEARNCHAIN_LOG_LEVEL: logLevel(options.logLevel), LEARNCHAIN_STREAM: `devnet_${p.tag}`, DATABASE_URL: options.database ?? 'pglite:memory' };
  if (options.nats) common.NATS_URL = options.nats;
  if (options.metricsListen) common.LEARNCHAIN_METRICS_LISTEN = options.metricsListen;
  const validators = p.validators.join(',');
  return {
    validators: p.validators.map((address, i) => ({
      address,
      env: {
        ...common,
        LEARNCHAIN_VALIDATOR_LISTEN: address,
        LEARNCHAIN_PEERS: p.validators.filter((a) => a !== address).join(','),
        LEARNCHAIN_KEY_FILE: p.files.validatorKeys[i] as string,
        LEARNCHAIN_GENESIS: p.genesisJson,
        LEARNCHAIN_VALIDATOR_SCHEMA: schema(`validator_${i}`),
        LEARNCHAIN_WAL_DIR: join(p.dir, `validator-${i}-wal`),
        // Each validator re-executes rounds and checks their loss on the job's validation set, from blobs it fetches itself.
        LEARNCHAIN_AGGREGATOR: p.aggregator,
        LEARNCHAIN_VALIDATOR_EVAL_THREADS: ONE_THREAD,
        // 0 by default: every service shares the devnet's few cores, where threads for round checks take them from the
        // trainers, and the checks, slower for it, hold up the commits the next rounds wait for.
        LEARNCHAIN_ROUND_CHECK_THREADS: String(options.roundCheckThreads),
        // A devnet's validators see a few transactions a round: worker threads for their signatures would only cost start-up time.
        LEARNCHAIN_SIGNATURE_THREADS: '0',
      },
    })),
    registry: {
      address: p.registry,
      env: {
        ...common,
        LEARNCHAIN_REGISTRY_LISTEN: p.registry,
        LEARNCHAIN_REGISTRY_SCHEMA: schema('registry'),
        LEARNCHAIN_LEASE_TTL_MS: '30000',
        // The registry records every membership change on chain, signed with its genesis key.
        LEARNCHAIN_VALIDATORS: validators,
        LEARNCHAIN_REGISTRY_KEY_FILE: p.files.registryKey,
      },
    },
    aggregator: {
      address: p.aggregator,
      env: {
        ...common,
        LEARNCHAIN_AGGREGATOR_LISTEN: p.aggregator,
        LEARNCHAIN_AGGREGATOR_SCHEMA: schema('aggregator'),
        LEARNCHAIN_AGGREGATOR_CONSUMER: `aggregator-${p.tag}`,
        LEARNCHAIN_REGISTRY: p.registry,
        LEARNCHAIN_VALIDATORS: validators,
        LEARNCHAIN_AGGREGATOR_KEY_FILE: p.files.aggregatorKey,
        LEARNCHAIN_ROUND_GRACE_MS: '300',
        LEARNCHAIN_ROUND_RETRY_MS: '1000',
        LEARNCHAIN_ROUND_PIPELINE: String(options.pipeline),
        // The report the devnet ends with scores every round's model.
        LEARNCHAIN_KEEP_MODEL_ROUNDS: '0',
      },
    },
    trainers: Array.from({ length: options.trainers }, (_, i) => ({
      ...common,
      LEARNCHAIN_REGISTRY: p.registry,
      LEARNCHAIN_AGGREGATOR: p.aggregator,
      LEARNCHAIN_VALIDATORS: validators,
      LEARNCHAIN_PARTITION: `dirichlet:${options.alpha}`,
      LEARNCHAIN_CLIENTS: String(options.clients),
      LEARNCHAIN_CLIENT_INDEX: String(i),
      LEARNCHAIN_SEED: String(options.seed),
      LEARNCHAIN_DEVICE: 'cpu',
      LEARNCHAIN_TRAINER_THREADS: ONE_THREAD,
      LEARNCHAIN_ATTACK: i < options.byzantine ? options.attack : 'none',
    })),
  };
}

/** Starts one service of the plan under a name, with its settings. */
type Launch = (service: ServiceName, name: string, env: Record<string, string>) => Promise<Stoppable>;

function inProcess(options: DevnetOptions, chainId: string, stream: string, parts: Parts): Launch {
  const broker = new LocalBroker();
  const bus = async (name: string): Promise<EventBus> => {
    const b = options.nats
      ? await NatsEventBus.create({ servers: options.nats, stream, maxAgeMs: DEFAULT_EVENTS_MAX_AGE_MS, subjectsPrefix: chainId, connectionName: `learnchain-devnet-${name}` })
      : await LocalEventBus.create({ broker, stream, maxAgeMs: DEFAULT_EVENTS_MAX_AGE_MS, subjectsPrefix: chainId });
    parts.buses.push(b);
    return b;
  };
  return async (service, name, env) => {
    switch (service) {
      case 'validator': {
        const V = services.validator();
        return V.startValidator(loadConfig(V.validatorConfig, { env }), { bus: await bus(name) });
      }
      case 'registry': {
        const R = services.registry();
        return R.startRegistry(loadConfig(R.registryConfig, { env }), await bus(name));
      }
      case 'aggregator': {
        const A = services.aggregator();
        return A.startAggregator(loadConfig(A.aggregatorConfig, { env }), { bus: await bus(name) });
      }
      case 'trainer': {
        const T = services.trainer();
        const trainer = await T.startTrainer(loadConfig(T.trainerConfig, { env }), { bus: await bus(name) });
        return { stop: () => trainer.stop('devnet stopping') };
      }
    }
  };
}

function asChildren(options: DevnetOptions): Launch {
  return (service, name, env) => ChildService.start({ name, service, env, logLevel: options.logLevel, forward: (line, from) => (from === 'stdout' ? process.stdout : process.stderr).write(`${line}\n`) });
}

/** Writes a genesis and starts every service; `onStep` hears what is starting. */
export async function startMesh(options: DevnetOptions, onStep: (step: string) => void = () => undefined): Promise<Mesh> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'learnchain-devnet-'));
  const tag = randomBytes(3).toString('hex');
  const chainId = `learnchain-devnet-${tag}`;
  const files = writeGenesis({ validators: options.validators, out: dir, chainId });
  const genesisJson = readFileSync(files.genesisPath, 'utf8');
  const genesis = parseGenesis(JSON.parse(genesisJson));
  const loopback = async (): Promise<string> => `127.0.0.1:${await freePort()}`;
  const validatorAddresses = await Promise.all(Array.from({ length: options.validators }, loopback));
  const plan = planMesh(options, { tag, chainId, dir, files, genesisJson, validators: validatorAddresses, registry: await loopback(), aggregator: await loopback() });
  const parts = new Parts();
  const launch = options.processes ? asChildren(options) : inProcess(options, chainId, `devnet_${tag}`, parts);

  try {
    onStep(`starting ${options.validators} validators and the registry${options.processes ? ' (one process each)' : ''}`);
    const startRegistry = async (): Promise<void> => {
      parts.registry = await launch('registry', 'registry', plan.registry.env);
    };
    const startValidator = async (v: MeshPlan['validators'][number], i: number): Promise<void> => {
      parts.validators.push(await launch('validator', `validator-${i}`, v.env));
    };
    await Promise.all([startRegistry(), ...plan.validators.map(startValidator)]);

    onStep('starting the aggregator');
    parts.aggregator = await launch('aggregator', 'aggregator', plan.aggregator.env);

    onStep(`starting ${options.trainers} trainers`);
    await Promise.all(plan.trainers.map(async (env, i) => parts.trainers.push(await launch('trainer', `trainer-${i}`, env))));
    return {
      dir,
      chainId,
      genesis,
      files,
      validators: plan.validators.map((v) => ({ address: v.address })),
      registry: { address: plan.registry.address },
      aggregator: { address: plan.aggregator.address },
      trainers: plan.trainers.length,
      stop: () => parts.stop(),
    };
  } catch (error) {
    await parts.stop();
    throw error;
  }
}
