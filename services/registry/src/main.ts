/**
 * The registry's composition root: config → adapters (database, bus) → the
 * domain → the gRPC server. SIGTERM/SIGINT: stop taking calls, finish those in
 * flight, stop the sweeper, publish what is pending, close the bus and database.
 */
import { openEventBus, type EventBus } from '@learnchain/bus';
import { ConfigError, createLogger, GrpcServer, Identity, maybeServeMetrics, runService, type ConfigOf } from '@learnchain/core';
import { contracts, SERVICE_NAMES } from '@learnchain/proto';
import { openStorage } from '@learnchain/storage';

import { MembershipRecorder } from './chain';
import { registryConfig } from './config';
import { readAllowList, type AdmissionPolicy } from './domain/admission';
import { validatorReputation } from './domain/reputation';
import { registryService } from './grpc';
import { RegistryMetrics } from './metrics';
import { Registry } from './registry';
import { MemberStore } from './store/members';
import type { RegistryDb } from './store/schema';

type RegistryConfig = ConfigOf<typeof registryConfig>;

function admissionPolicy(config: RegistryConfig): AdmissionPolicy {
  switch (config.admission) {
    case 'open':
      return { kind: 'open' };
    case 'allow-list':
      if (!config.allowList) throw new ConfigError('LEARNCHAIN_ALLOW_LIST', 'allow-list', 'is required with LEARNCHAIN_ADMISSION=allow-list');
      return { kind: 'allow-list', publicKeys: readAllowList(config.allowList) };
    case 'min-reputation': {
      const validator = config.validators[0];
      if (!validator) throw new ConfigError('LEARNCHAIN_VALIDATORS', 'validators', 'is required with LEARNCHAIN_ADMISSION=min-reputation');
      return { kind: 'min-reputation', minimum: config.minReputation, reputation: validatorReputation(validator) };
    }
  }
}

function registryIdentity(config: RegistryConfig): Identity | undefined {
  if (config.keyFile) return Identity.fromFile(config.keyFile);
  if (config.key) return Identity.fromString(config.key, 'LEARNCHAIN_REGISTRY_KEY');
  return undefined;
}

export interface RunningRegistry {
  readonly address: string;
  readonly registry: Registry;
  /** host:port of the Prometheus endpoint; empty when not served. */
  readonly metricsAddress: string;
  stop(): Promise<void>;
}

/** Starts a registry from configuration; used by main and by in-process meshes and tests. */
export async function startRegistry(config: RegistryConfig, bus?: EventBus, processMetrics = false): Promise<RunningRegistry> {
  const logger = createLogger({ service: 'registry', level: config.logLevel });
  const policy = admissionPolicy(config);
  const storage = await openStorage<RegistryDb>({ url: config.database, schema: config.schema, logger });
  if (storage.backend === 'pglite' && config.database === 'pglite:memory') logger.warn('membership lives in memory: a restart forgets every member');
  const ownBus = !bus;
  const events =
    bus ??
    (await openEventBus({ nats: config.nats, stream: config.stream, maxAgeMs: config.eventsMaxAgeMs, subjectsPrefix: config.chainId, connectionName: 'learnchain-registry' }));
  const store = await MemberStore.create(storage);
  const identity = registryIdentity(config);
  const recorder =
    config.validators.length > 0 && identity
      ? new MembershipRecorder({ chainId: config.chainId, identity, validators: config.validators, db: storage.db, logger })
      : undefined;
  if (!recorder) logger.warn('no validators or no registry key configured: membership is not recorded on chain');
  const registry = new Registry({
    chainId: config.chainId,
    store,
    bus: events,
    policy,
    logger,
    leaseTtlMs: config.leaseTtlMs,
    challengeTtlMs: config.challengeTtlMs,
    sweepIntervalMs: config.sweepIntervalMs,
    pollIntervalMs: config.watchPollMs,
    keepDepartedMs: config.keepDepartedMs,
    ...(recorder ? { recorder } : {}),
  });
  const metrics = new RegistryMetrics(registry, { processMetrics });
  metrics.observe(registry);
  registry.start();
  const server = await GrpcServer.create({
    address: config.listen,
    logger,
    services: [{ name: SERVICE_NAMES.registry, definition: contracts().registry.service, implementation: registryService(registry, logger) }],
  });
  const metricsEndpoint = await maybeServeMetrics(metrics.registry, config.metricsListen);
  logger.info({ chain: config.chainId, database: storage.description, admission: policy.kind, leaseTtlMs: config.leaseTtlMs, metrics: metricsEndpoint.url || undefined }, 'registry running');
  return {
    address: server.address,
    registry,
    metricsAddress: metricsEndpoint.address,
    async stop() {
      // Heartbeat streams never end on their own: end them first, so members reconnect at once.
      registry.endLeaseStreams();
      await server.shutdown(5000);
      await registry.stop();
      await metricsEndpoint.close();
      recorder?.close();
      if (ownBus) await events.close();
      await storage.close();
      logger.info('registry stopped');
    },
  };
}

if (require.main === module) {
  runService({ name: 'registry', schema: registryConfig, start: (config) => startRegistry(config, undefined, true), otlpEndpoint: (config) => config.otlpEndpoint });
}
