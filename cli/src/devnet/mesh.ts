/**
 * The whole mesh in one process: validators, a registry, an aggregator and
 * trainers, each with its own gRPC server on loopback, its own database
 * (embedded PGlite by default, a schema each on PostgreSQL otherwise) and a
 * bus over one shared in-process broker (or NATS). Stops in order: trainers,
 * aggregator, registry, validators.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { LocalBroker, LocalEventBus, NatsEventBus, type EventBus } from '@learnchain/bus';
import { loadConfig, LOG_LEVELS } from '@learnchain/core';
import { parseGenesis, type Genesis } from '@learnchain/ledger';

import { writeGenesis, type GenesisFiles } from '../commands/genesis';
import type { AggregatorClient } from './blobs';
import type { DevnetOptions } from './options';
import { services, type RunningAggregator, type RunningRegistry, type RunningTrainer, type RunningValidator } from './services';

/** A running mesh and how to stop it. */
export interface Mesh {
  readonly dir: string;
  readonly chainId: string;
  readonly genesis: Genesis;
  readonly files: GenesisFiles;
  readonly validators: readonly RunningValidator[];
  readonly registry: RunningRegistry;
  readonly aggregator: RunningAggregator;
  readonly trainers: readonly RunningTrainer[];
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

/** What has started, stopped in the devnet's order whatever got this far. */
class Parts {
  readonly validators: RunningValidator[] = [];
  readonly trainers: RunningTrainer[] = [];
  readonly buses: EventBus[] = [];
  readonly clients: AggregatorClient[] = [];
  registry: RunningRegistry | undefined;
  aggregator: RunningAggregator | undefined;
  private stopping: Promise<void> | undefined;

  stop(): Promise<void> {
    const quietly = async (what: Promise<void> | undefined): Promise<void> => {
      await what?.catch(() => undefined);
    };
    return (this.stopping ??= (async () => {
      await Promise.all(this.trainers.map((t) => quietly(t.stop('devnet stopping'))));
      await quietly(this.aggregator?.stop());
      await quietly(this.registry?.stop());
      await Promise.all(this.validators.map((v) => quietly(v.stop())));
      for (const c of this.clients) c.close();
      for (const b of this.buses) await quietly(b.close());
    })());
  }
}

function logLevel(level: string): (typeof LOG_LEVELS)[number] {
  return (LOG_LEVELS as readonly string[]).includes(level) ? (level as (typeof LOG_LEVELS)[number]) : 'error';
}

/** Writes a genesis and starts every service; `onStep` hears what is starting. */
export async function startMesh(options: DevnetOptions, onStep: (step: string) => void = () => undefined): Promise<Mesh> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'learnchain-devnet-'));
  const tag = randomBytes(3).toString('hex');
  const chainId = `learnchain-devnet-${tag}`;
  const files = writeGenesis({ validators: options.validators, out: dir, chainId });
  const genesisJson = readFileSync(files.genesisPath, 'utf8');
  const genesis = parseGenesis(JSON.parse(genesisJson));
  const database = options.database ?? 'pglite:memory';
  const schema = (name: string): string => (options.database ? `devnet_${tag}_${name}` : name);
  const stream = `devnet_${tag}`;
  const broker = new LocalBroker();
  const parts = new Parts();
  const bus = async (name: string): Promise<EventBus> => {
    const b = options.nats
      ? await NatsEventBus.create({ servers: options.nats, stream, subjectsPrefix: chainId, connectionName: `learnchain-devnet-${name}` })
      : await LocalEventBus.create({ broker, stream, subjectsPrefix: chainId });
    parts.buses.push(b);
    return b;
  };
  const common = { LEARNCHAIN_CHAIN_ID: chainId, LEARNCHAIN_LOG_LEVEL: logLevel(options.logLevel), LEARNCHAIN_STREAM: stream, DATABASE_URL: database };

  const validatorAddresses = await Promise.all(Array.from({ length: options.validators }, async () => `127.0.0.1:${await freePort()}`));
  const aggregatorAddress = `127.0.0.1:${await freePort()}`;
  const V = services.validator();
  const R = services.registry();
  const A = services.aggregator();
  const T = services.trainer();

  try {
    onStep(`starting ${options.validators} validators and the registry`);
    const startRegistry = async (): Promise<void> => {
      const config = loadConfig(R.registryConfig, { env: { ...common, LEARNCHAIN_REGISTRY_LISTEN: '127.0.0.1:0', LEARNCHAIN_REGISTRY_SCHEMA: schema('registry'), LEARNCHAIN_LEASE_TTL_MS: '30000',
          // The registry records every membership change on chain, signed with its genesis key.
          LEARNCHAIN_VALIDATORS: validatorAddresses.join(','), LEARNCHAIN_REGISTRY_KEY_FILE: files.registryKey } });
      parts.registry = await R.startRegistry(config, await bus('registry'));
    };
    const startValidator = async (address: string, i: number): Promise<void> => {
      const config = loadConfig(V.validatorConfig, {
        env: {
          ...common,
          LEARNCHAIN_VALIDATOR_LISTEN: address,
          LEARNCHAIN_PEERS: validatorAddresses.filter((a) => a !== address).join(','),
          LEARNCHAIN_KEY_FILE: files.validatorKeys[i] as string,
          LEARNCHAIN_GENESIS: genesisJson,
          LEARNCHAIN_VALIDATOR_SCHEMA: schema(`validator_${i}`),
          LEARNCHAIN_WAL_DIR: join(dir, `validator-${i}-wal`),
          LEARNCHAIN_AGGREGATOR: aggregatorAddress,
        },
      });
      // Each validator re-executes rounds and checks their loss on the job's validation set, from blobs it fetches itself.
      parts.validators.push(await V.startValidator(config, { bus: await bus(`validator-${i}`) }));
    };
    await Promise.all([startRegistry(), ...validatorAddresses.map(startValidator)]);
    const registry = parts.registry as unknown as RunningRegistry;

    onStep('starting the aggregator');
    const aggregatorConfig = loadConfig(A.aggregatorConfig, {
      env: {
        ...common,
        LEARNCHAIN_AGGREGATOR_LISTEN: aggregatorAddress,
        LEARNCHAIN_AGGREGATOR_SCHEMA: schema('aggregator'),
        LEARNCHAIN_AGGREGATOR_CONSUMER: `aggregator-${tag}`,
        LEARNCHAIN_REGISTRY: registry.address,
        LEARNCHAIN_VALIDATORS: validatorAddresses.join(','),
        LEARNCHAIN_AGGREGATOR_KEY_FILE: files.aggregatorKey,
        LEARNCHAIN_ROUND_GRACE_MS: '300',
        LEARNCHAIN_ROUND_RETRY_MS: '1000',
        LEARNCHAIN_ROUND_TICK_MS: '100',
      },
    });
    parts.aggregator = await A.startAggregator(aggregatorConfig, { bus: await bus('aggregator') });

    onStep(`starting ${options.trainers} trainers`);
    await Promise.all(
      Array.from({ length: options.trainers }, async (_, i) => {
        const config = loadConfig(T.trainerConfig, {
          env: {
            ...common,
            LEARNCHAIN_REGISTRY: registry.address,
            LEARNCHAIN_AGGREGATOR: aggregatorAddress,
            LEARNCHAIN_VALIDATORS: validatorAddresses.join(','),
            LEARNCHAIN_PARTITION: `dirichlet:${options.alpha}`,
            LEARNCHAIN_CLIENTS: String(options.clients),
            LEARNCHAIN_CLIENT_INDEX: String(i),
            LEARNCHAIN_SEED: String(options.seed),
            LEARNCHAIN_DEVICE: 'cpu',
            LEARNCHAIN_ATTACK: i < options.byzantine ? options.attack : 'none',
          },
        });
        parts.trainers.push(await T.startTrainer(config, { bus: await bus(`trainer-${i}`) }));
      }),
    );
    return {
      dir,
      chainId,
      genesis,
      files,
      validators: parts.validators,
      registry,
      aggregator: parts.aggregator,
      trainers: parts.trainers,
      stop: () => parts.stop(),
    };
  } catch (error) {
    await parts.stop();
    throw error;
  }
}
