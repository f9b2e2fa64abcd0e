/**
 * The trainer's composition root: config → identity, device, private shard →
 * adapters (Validator for jobs, Aggregator for blobs and updates, the bus, the
 * registry) → the round handler → the node. SIGTERM/SIGINT: take no more
 * rounds, finish or abort the round in flight, leave the registry, close the
 * bus and the gRPC channels — in that order.
 */
import { totalmem } from 'node:os';

import { openEventBus, type EventBus } from '@learnchain/bus';
import { ConfigError, createLogger, Identity, maybeServeMetrics, runService, type Logger } from '@learnchain/core';
import { MembershipClient } from '@learnchain/membership';
import type { Dataset, ExecutionProvider } from '@learnchain/model';

import { AggregatorAdapter } from './adapters/aggregator';
import { OnnxLocalTrainer } from './adapters/onnx';
import { ValidatorJobSource } from './adapters/validator';
import { flipLabels, type Attack } from './attacks';
import { autoClientIndex, checkTrainerConfig, shuffleSeed, trainerConfig, type TrainerConfig } from './config';
import { loadShard } from './data';
import { chooseDevice } from './device';
import { observedModels, observedTrainer, observedUpdates, TrainerMetrics } from './metrics';
import { TrainerNode } from './node';
import type { Clock, JobSource, LocalTrainer, ModelSource, UpdateSink } from './ports';
import { RoundHandler, type RoundOutcome } from './round';

/** What a caller may supply instead of what config would build (in-process meshes and tests). */
export interface TrainerDeps {
  readonly bus?: EventBus;
  readonly jobs?: JobSource;
  readonly models?: ModelSource;
  readonly updates?: UpdateSink;
  readonly trainer?: LocalTrainer;
  readonly identity?: Identity;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** The shard, instead of loading partition K of N. */
  readonly shard?: Dataset;
  /** The CUDA probe (device.ts's probeCuda by default). */
  readonly probeCuda?: () => Promise<{ provider: ExecutionProvider; reason: string }>;
  readonly onOutcome?: (outcome: RoundOutcome) => void;
  /** Also export the process's own metrics (a trainer in a process of its own). */
  readonly processMetrics?: boolean;
}

export interface RunningTrainer {
  readonly nodeId: string;
  readonly identity: Identity;
  readonly provider: ExecutionProvider;
  readonly node: TrainerNode;
  /** host:port of the Prometheus endpoint; empty when not served. */
  readonly metricsAddress: string;
  stop(reason?: string): Promise<void>;
}

function identityOf(config: TrainerConfig, logger: Logger): Identity {
  if (config.keyFile !== undefined) return Identity.fromFile(config.keyFile);
  if (config.key !== undefined) return Identity.fromString(config.key, 'LEARNCHAIN_TRAINER_KEY');
  logger.warn('no key given: using a fresh key, so this node is a new member on every start');
  return Identity.generate();
}

/** Starts a trainer from configuration: joined, subscribed, taking rounds. */
export async function startTrainer(config: TrainerConfig, deps: TrainerDeps = {}): Promise<RunningTrainer> {
  const logger = deps.logger ?? createLogger({ service: 'trainer', level: config.logLevel });
  const { partition } = checkTrainerConfig(config);
  const identity = deps.identity ?? identityOf(config, logger);
  // A fresh key makes a new member on every start: its consumer would never be used again.
  const keptKey = deps.identity !== undefined || config.keyFile !== undefined || config.key !== undefined;
  const attack: Attack = { name: config.attack, magnitude: config.attackMagnitude, seed: config.seed };
  if (attack.name !== 'none') {
    logger.warn({ attack: attack.name, magnitude: attack.magnitude }, `!!! ATTACK MODE ${attack.name.toUpperCase()}: this trainer sends poisoned updates on purpose (test only) !!!`);
  }

  const device = await chooseDevice(config.device, config.requireGpu, deps.probeCuda);
  if (device.warning) logger.warn({ requested: config.device }, `CUDA unavailable, ${device.warning}`);
  logger.info({ provider: device.provider, requested: config.device, reason: device.reason }, 'execution provider');

  const clientIndex = config.clientIndex === 'auto' ? autoClientIndex(identity.publicKey, config.clients) : config.clientIndex;
  const honestShard = deps.shard ?? loadShard({ dataset: config.dataset, partition, clients: config.clients, clientIndex, seed: config.seed });
  const shard = attack.name === 'label-flip' ? flipLabels(honestShard) : honestShard;
  logger.info({ dataset: config.dataset, partition: config.partition, clients: config.clients, clientIndex, samples: shard.count }, 'private shard loaded');
  if (shard.count === 0) logger.warn({ partition: config.partition, clientIndex }, 'the shard is empty: this trainer will join but cannot submit updates');

  let jobs = deps.jobs;
  let validator: ValidatorJobSource | undefined;
  if (!jobs) {
    if (config.validators.length === 0) throw new ConfigError('LEARNCHAIN_VALIDATORS', 'validators', 'is required: the trainer reads jobs from the chain');
    jobs = validator = new ValidatorJobSource(config.validators);
  }
  let aggregator: AggregatorAdapter | undefined;
  const ownAggregator = (): AggregatorAdapter =>
    (aggregator ??= new AggregatorAdapter({ address: config.aggregator, chunkBytes: config.chunkBytes, maxMessageBytes: config.maxMessageBytes, maxBlobBytes: config.maxModelBytes }));
  const models = deps.models ?? ownAggregator();
  const updates = deps.updates ?? ownAggregator();
  const trainer =
    deps.trainer ?? new OnnxLocalTrainer({ shard, provider: device.provider, seed: shuffleSeed(config, identity.publicKey), threads: config.threads, nice: config.nice, onWarning: (message) => logger.warn({ provider: device.provider }, message) });

  const ownBus = !deps.bus;
  let bus = deps.bus;
  if (!bus) {
    if (!config.nats) logger.warn('no NATS_URL: round events come only from this process');
    bus = await openEventBus({ nats: config.nats, stream: config.stream, maxAgeMs: config.eventsMaxAgeMs, subjectsPrefix: config.chainId, connectionName: 'learnchain-trainer' });
  }
  const events = bus;
  const membership = new MembershipClient({
    registry: config.registry,
    chainId: config.chainId,
    identity,
    role: 'trainer',
    capabilities: { device: device.provider, memoryBytes: totalmem(), datasetSize: shard.count },
    logger,
  });
  const metrics = new TrainerMetrics({ processMetrics: deps.processMetrics === true });
  const nodeId = (): string | undefined => membership.lease?.nodeId;
  const rounds = new RoundHandler({
    chainId: config.chainId,
    identity,
    nodeId,
    jobs,
    models: observedModels(models, metrics, nodeId),
    updates: observedUpdates(updates, metrics, nodeId),
    trainer: observedTrainer(trainer, metrics, nodeId),
    attack,
    clock: deps.clock ?? { now: () => Date.now() },
    logger,
  });
  const node = new TrainerNode({ membership, bus: events, rounds, logger, ackWaitMs: config.ackWaitMs, drainMs: config.drainMs, replayMs: config.replayMs, durable: keptKey, onOutcome: (outcome) => {
      metrics.outcome(outcome);
      deps.onOutcome?.(outcome);
    },
  });
  const release = async (): Promise<void> => {
    if (ownBus) await events.close();
    aggregator?.close();
    validator?.close();
  };
  let lease;
  try {
    lease = await node.start();
  } catch (error) {
    await release();
    throw error;
  }
  const served = await maybeServeMetrics(metrics.registry, config.metricsListen).catch(async (error: unknown) => {
    await node.stop('metrics endpoint failed');
    await release();
    throw error;
  });
  logger.info({ nodeId: lease.nodeId, epoch: lease.epoch, chain: config.chainId, provider: device.provider, samples: shard.count, attack: attack.name, metrics: served.url || undefined }, 'trainer running');
  return {
    nodeId: lease.nodeId,
    identity,
    provider: device.provider,
    node,
    metricsAddress: served.address,
    async stop(reason = 'shutdown') {
      await node.stop(reason);
      await trainer.close?.();
      await release();
      await served.close();
      logger.info('trainer stopped');
    },
  };
}

if (require.main === module) {
  runService({ name: 'trainer', schema: trainerConfig, start: (config) => startTrainer(config, { processMetrics: true }), otlpEndpoint: (config) => config.otlpEndpoint });
}
