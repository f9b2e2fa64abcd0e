/**
 * The validator's composition root: config → key and genesis → adapters
 * (database, bus, write-ahead log) → chain, mempool, consensus host → gRPC
 * server → peers. SIGTERM/SIGINT: stop taking calls, stop consensus, close
 * peers, drain events, close the bus and database.
 */
import { readFileSync } from 'node:fs';

import { inlineRunner, PoolRuleRunner } from '@learnchain/aggregation';
import { openEventBus, type EventBus } from '@learnchain/bus';
import { createLogger, GrpcServer, Identity, maybeServeMetrics, runService, signatureChecks, type ConfigOf } from '@learnchain/core';
import { AggregateRoundVerifier, parseGenesis, type Genesis, type RoundVerifier } from '@learnchain/ledger';
import { contracts, SERVICE_NAMES } from '@learnchain/proto';
import { openStorage } from '@learnchain/storage';

import { validatorApi } from './api';
import { AggregatorBlobs, CachedBlobs, noBlobs } from './blobs';
import { Chain } from './chain';
import { validatorConfig } from './config';
import { consensusService } from './consensus-service';
import { SetupError } from './errors';
import { EvaluationThread } from './evaluation-thread';
import { Mempool } from './mempool';
import { observeCommits, observedVerifier, ValidatorMetrics } from './metrics';
import { ValidatorNode } from './node';
import { Peers } from './peers';
import { releaseCommittedRounds, RoundPrefetch } from './prefetch';
import { BlobModelEvaluator, decodeUpdateBlob, inlineEvaluation } from './round-check';
import { Signer } from './signer';
import { BlockStore, type ValidatorDb } from './store';
import { FileWal } from './wal';

export type ValidatorConfig = ConfigOf<typeof validatorConfig>;

export interface RunningValidator {
  readonly address: string;
  readonly validator: string;
  readonly node: ValidatorNode;
  readonly chain: Chain;
  /** host:port of the Prometheus endpoint; empty when not served. */
  readonly metricsAddress: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** An event bus to share (in-process meshes); otherwise one is built from the config. */
  readonly bus?: EventBus;
  /** Checks rounds before voting; default: re-executes each round's aggregate from the aggregator's blobs (AggregateRoundVerifier). */
  readonly verifier?: RoundVerifier;
  /** Also export the process's own metrics (a validator in a process of its own). */
  readonly processMetrics?: boolean;
}

function loadIdentity(config: ValidatorConfig): Identity {
  if (config.keySeed) return Identity.fromString(config.keySeed, 'LEARNCHAIN_KEY');
  if (config.key) return Identity.fromFile(config.key);
  throw new SetupError('no validator key: set LEARNCHAIN_KEY_FILE (or --key) or LEARNCHAIN_KEY');
}

function loadGenesis(config: ValidatorConfig): Genesis {
  if (config.genesisJson) return parseGenesis(JSON.parse(config.genesisJson));
  if (config.genesis) return parseGenesis(JSON.parse(readFileSync(config.genesis, 'utf8')));
  throw new SetupError('no genesis: set LEARNCHAIN_GENESIS_FILE (or --genesis) or LEARNCHAIN_GENESIS');
}

/** Starts a validator from configuration; used by main and by in-process meshes and tests. */
export async function startValidator(config: ValidatorConfig, options: StartOptions = {}): Promise<RunningValidator> {
  const identity = loadIdentity(config);
  const genesis = loadGenesis(config);
  const logger = createLogger({ service: 'validator', level: config.logLevel }).child({ validator: identity.address.slice(0, 8) });
  if (!genesis.validators.some((v) => v.address === identity.address)) logger.warn({ address: identity.address }, 'this key is not a genesis validator: following the chain only');
  const storage = await openStorage<ValidatorDb>({ url: config.database, schema: config.schema, logger });
  const ownBus = !options.bus;
  const bus =
    options.bus ??
    (await openEventBus({ nats: config.nats, stream: config.stream, maxAgeMs: config.eventsMaxAgeMs, subjectsPrefix: genesis.chainId, connectionName: `learnchain-validator-${identity.address.slice(0, 8)}` }));
  const store = await BlockStore.create(storage);
  const chain = await Chain.create(genesis, store, logger, bus);
  const mempool = new Mempool(genesis, () => chain.state, config.mempoolMaxTxs);
  chain.mempool = mempool;
  // A submitter waiting for a round this validator votes against hears so at once.
  mempool.onReject((hashHex, refusal) => chain.refuse(hashHex, refusal));
  const wal = FileWal.open(config.walDir);
  const metrics = new ValidatorMetrics({ processMetrics: options.processMetrics === true });
  const aggregator = config.aggregator ? new AggregatorBlobs({ address: config.aggregator, maxBlobBytes: config.maxBlobBytes }) : undefined;
  const blobs = aggregator
    ? new CachedBlobs(aggregator, {
        capacityBytes: config.blobCacheBytes,
        onServed: (source) => metrics.blobsServed.inc({ source }),
        onPrefetchError: (hash, error) => logger.debug({ blob: hash, err: error }, 'prefetch failed: the round check fetches it again'),
      })
    : undefined;
  // With round-check threads, a round's rule is re-run (when large) and its loss checked off the event loop, which meanwhile goes on voting.
  const offLoop = config.roundCheckThreads !== 0;
  const evaluations = offLoop ? new EvaluationThread({ threads: config.evalThreads }) : undefined;
  const rules = offLoop ? new PoolRuleRunner({ logger, ...(config.roundCheckThreads > 0 ? { workers: config.roundCheckThreads } : {}) }) : undefined;
  const prefetch = blobs ? await RoundPrefetch.start({ bus, chainId: genesis.chainId, blobs, logger }) : undefined;
  // Re-execute each round from the aggregator's blobs and check its loss on the job's validation set.
  const verifier = observedVerifier(
    options.verifier ??
      new AggregateRoundVerifier({ blobs: blobs ?? noBlobs, logger, decode: decodeUpdateBlob, runner: rules ?? inlineRunner, interleave: offLoop, ...(blobs ? { evaluator: new BlobModelEvaluator(blobs, evaluations ?? inlineEvaluation({ threads: config.evalThreads })) } : {}) }),
    metrics,
    identity.address,
  );
  const unobserve = observeCommits(chain, genesis.chainId, metrics, identity.address);
  const unrelease = blobs ? releaseCommittedRounds(chain, blobs) : () => undefined;
  const signer = new Signer({ identity, chainId: genesis.chainId, wal, crashAfterPrecommitHeight: config.testCrashAfterPrecommitHeight });
  const signatures = signatureChecks(config.signatureThreads, (reason) => logger.error({ reason }, 'signature threads failed: signatures are checked on the event loop from now on'));
  const node = new ValidatorNode({
    genesis,
    signer,
    wal,
    chain,
    mempool,
    signatures,
    verifier,
    logger,
    timing: {
      proposeMs: config.proposeTimeoutMs,
      roundMs: config.roundTimeoutMs,
      commitMs: config.timeoutCommitMs,
      emptyBlockIntervalMs: config.emptyBlockIntervalMs,
      relayAfterMs: config.relayAfterMs,
    },
    ...(config.testEquivocateHeight > 0 ? { equivocateHeight: config.testEquivocateHeight } : {}),
    ...(config.testCrashAtDecisionHeight > 0 ? { crashAtDecisionHeight: config.testCrashAtDecisionHeight } : {}),
  });
  const peers = new Peers({ addresses: config.peers, identity, chainId: genesis.chainId, logger, maxMessageBytes: config.maxMessageBytes }, node);
  node.attach(peers);
  const consensus = consensusService({ genesis, node, chain, address: identity.address, logger });
  const server = await GrpcServer.create({
    address: config.listen,
    logger,
    maxMessageBytes: config.maxMessageBytes,
    services: [
      { name: SERVICE_NAMES.validator, definition: contracts().validator.service, implementation: validatorApi({ genesis, chain, mempool, signatures, node, network: () => peers, address: identity.address, logger }) },
      { name: SERVICE_NAMES.consensus, definition: contracts().consensus.service, implementation: consensus.implementation },
    ],
  });
  peers.start();
  await node.start();
  const metricsEndpoint = await maybeServeMetrics(metrics.registry, config.metricsListen);
  logger.info({ chain: genesis.chainId, address: identity.address, height: chain.tip.height, database: storage.description, peers: config.peers.length, signatureThreads: signatures.threads, metrics: metricsEndpoint.url || undefined }, 'validator running');
  return {
    address: server.address,
    validator: identity.address,
    node,
    chain,
    metricsAddress: metricsEndpoint.address,
    async stop() {
      // Peers' gossip streams never end on their own: close them, then drain the other calls.
      peers.close();
      consensus.closeStreams();
      await server.shutdown(2000);
      await node.stop();
      await signatures.close();
      await evaluations?.close();
      await rules?.close();
      await chain.drainEvents();
      unobserve();
      unrelease();
      await metricsEndpoint.close();
      await wal.close();
      await prefetch?.stop();
      aggregator?.close();
      if (ownBus) await bus.close();
      await storage.close();
      logger.info('validator stopped');
    },
  };
}

if (require.main === module) {
  runService({ name: 'validator', schema: validatorConfig, start: (config) => startValidator(config, { processMetrics: true }), otlpEndpoint: (config) => config.otlpEndpoint });
}
