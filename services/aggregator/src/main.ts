/**
 * The aggregator's composition root: config → adapters (database, bus,
 * registry, validators, key) → stores, intake and round manager → the gRPC
 * server. SIGTERM/SIGINT: stop taking calls and finish those in flight, stop
 * the round manager, close the bus and the database, in that order.
 */
import { openEventBus, type EventBus } from '@learnchain/bus';
import { ConfigError, createLogger, GrpcServer, Identity, maybeServeMetrics, runService, type ConfigOf, type Logger } from '@learnchain/core';
import { contracts, SERVICE_NAMES } from '@learnchain/proto';
import { openStorage } from '@learnchain/storage';

import { RegistryMembership } from './adapters/registry';
import { ValidatorAdapter } from './adapters/validator';
import { aggregatorConfig } from './config';
import { aggregatorService } from './grpc';
import { RoundManager } from './manager';
import { AggregatorMetrics, ObservedIntake, RoundObserver } from './metrics';
import type { ChainClient, JobSource, MembershipSource } from './ports';
import { announceAccepted } from './relay';
import { chunkRows, ProcessMemory } from './store/blob-bytes';
import { BlobStore } from './store/blobs';
import { BlobRetention } from './store/retention';
import { RoundStore } from './store/rounds';
import type { AggregatorDb } from './store/schema';

export type AggregatorConfig = ConfigOf<typeof aggregatorConfig>;

/** How often retention looks for expired updates and models besides after each commit (a finished job's updates expire with time). */
const RETENTION_TICK_MS = 60_000;

/** Ports a caller (an in-process mesh, a test) may supply instead of the configured adapters. */
export interface AggregatorDeps {
  readonly bus?: EventBus;
  readonly jobs?: JobSource;
  readonly chain?: ChainClient;
  readonly membership?: MembershipSource;
  readonly identity?: Identity;
  readonly clock?: () => number;
  readonly logger?: Logger;
  /** Also export the process's own metrics (an aggregator in a process of its own). */
  readonly processMetrics?: boolean;
}

export interface RunningAggregator {
  readonly address: string;
  readonly identity: Identity;
  readonly manager: RoundManager;
  readonly rounds: RoundStore;
  readonly blobs: BlobStore;
  /** host:port of the Prometheus endpoint; empty when not served. */
  readonly metricsAddress: string;
  stop(): Promise<void>;
}

function identityOf(config: AggregatorConfig, logger: Logger): Identity {
  if (config.keyFile) return Identity.fromFile(config.keyFile);
  if (config.key) return Identity.fromString(config.key, 'LEARNCHAIN_AGGREGATOR_KEY');
  logger.warn('no aggregator key configured: using a fresh key, which the chain will not know');
  return Identity.generate();
}

/** Starts an aggregator; used by main and by in-process meshes and tests. */
export async function startAggregator(config: AggregatorConfig, deps: AggregatorDeps = {}): Promise<RunningAggregator> {
  const logger = deps.logger ?? createLogger({ service: 'aggregator', level: config.logLevel });
  const clock = deps.clock ?? Date.now;
  const identity = deps.identity ?? identityOf(config, logger);
  const validators = deps.jobs && deps.chain ? undefined : new ValidatorAdapter({ addresses: config.validators });
  const jobs = deps.jobs ?? (validators as ValidatorAdapter);
  const chain = deps.chain ?? (validators as ValidatorAdapter);
  let registry: RegistryMembership | undefined;
  if (!deps.membership) {
    if (!config.registry) throw new ConfigError('LEARNCHAIN_REGISTRY', 'registry', 'is required: the aggregator asks the registry for the active trainers');
    registry = new RegistryMembership(config.registry);
  }
  const membership = deps.membership ?? (registry as RegistryMembership);

  const storage = await openStorage<AggregatorDb>({ url: config.database, schema: config.schema, logger });
  if (storage.inMemory) logger.warn('rounds and blobs live in memory: a restart forgets them');
  const ownBus = !deps.bus;
  const bus =
    deps.bus ??
    (await openEventBus({ nats: config.nats, stream: config.stream, maxAgeMs: config.eventsMaxAgeMs, subjectsPrefix: config.chainId, connectionName: 'learnchain-aggregator' }));
  const rounds = await RoundStore.create(storage, clock);
  // An in-memory database keeps nothing past the process: blob bytes stay in the process's memory, out of it.
  const blobs = new BlobStore(storage.db, config.chunkBytes, clock, config.blobCacheBytes, storage.inMemory ? new ProcessMemory() : chunkRows);
  const metrics = new AggregatorMetrics({ processMetrics: deps.processMetrics === true });
  const retention = new BlobRetention({
    db: storage.db,
    blobs,
    keepRounds: config.keepUpdateRounds,
    keepFinishedMs: config.keepFinishedUpdatesMs,
    models: { keepRounds: config.keepModelRounds, checkpointRounds: config.modelCheckpointRounds, unnamedForMs: config.keepUnnamedModelsMs },
    clock,
    onError: (error) => logger.warn({ err: error }, "expired updates' and models' bytes not deleted; the next pass tries again"),
  });
  const manager = new RoundManager({
    chainId: config.chainId,
    rounds,
    blobs,
    bus,
    jobs,
    membership,
    chain,
    identity,
    logger,
    clock,
    graceMs: config.graceMs,
    quorumFraction: config.quorumFraction,
    pipeline: config.pipeline,
    retention,
    retryDelayMs: config.retryDelayMs,
    tickMs: config.tickMs,
    consumer: config.consumer,
    observer: new RoundObserver(config.chainId, metrics),
  });
  const limits = { maxChunkBytes: config.chunkBytes, maxBlobBytes: config.maxBlobBytes, maxUploads: config.maxUploads };
  const intake = new ObservedIntake(
    {
      chainId: config.chainId,
      rounds,
      blobs,
      limits,
      onAccepted: (update) => {
        manager.poke(update.jobId);
        announceAccepted(bus, config.chainId, update, logger);
      },
    },
    metrics,
  );
  const server = await GrpcServer.create({
    address: config.listen,
    logger,
    maxMessageBytes: Math.max(4 * 1024 * 1024, config.chunkBytes + 64 * 1024),
    services: [{ name: SERVICE_NAMES.aggregator, definition: contracts().aggregator.service, implementation: aggregatorService({ intake, blobs, rounds, jobs, limits, logger }) }],
  });
  // Rounds open on the registry's membership as its Watch stream keeps it here, asking List only while that is not in step.
  const following = new AbortController();
  const followed = registry?.follow(following.signal, logger);
  manager.start();
  retention.start(RETENTION_TICK_MS);
  const metricsEndpoint = await maybeServeMetrics(metrics.registry, config.metricsListen);
  logger.info({ chain: config.chainId, database: storage.description, address: server.address, key: identity.address, metrics: metricsEndpoint.url || undefined }, 'aggregator running');
  return {
    address: server.address,
    identity,
    manager,
    rounds,
    blobs,
    metricsAddress: metricsEndpoint.address,
    async stop() {
      await server.shutdown(5000);
      await manager.stop();
      following.abort();
      await followed;
      retention.stop();
      await retention.idle();
      await metricsEndpoint.close();
      if (ownBus) await bus.close();
      validators?.close();
      registry?.close();
      await storage.close();
      logger.info('aggregator stopped');
    },
  };
}

if (require.main === module) {
  runService({ name: 'aggregator', schema: aggregatorConfig, start: (config) => startAggregator(config, { processMetrics: true }), otlpEndpoint: (config) => config.otlpEndpoint });
}
