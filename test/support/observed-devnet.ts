/**
 * A small devnet in this process, observed: telemetry starts first (spans go
 * to an in-memory exporter, and the gRPC instrumentation patches the client
 * and server every service uses), then 4 validators, a registry, an
 * aggregator and 2 trainers over loopback gRPC and one in-process event
 * broker, each serving its Prometheus metrics on a port of its own. It scrapes
 * every metrics endpoint, runs a small MNIST job for ROUNDS rounds, scrapes
 * again, and writes what it saw as JSON to OUT:
 *
 *   node --import tsx test/support/observed-devnet.ts OUT [ROUNDS]
 *
 * { chainId, jobId, rounds, before: {name: text}, after: {name: text}, spans: [...] }
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';

import { LocalBroker, LocalEventBus } from '@learnchain/bus';
import { loadConfig, startTelemetry } from '@learnchain/core';

import { writeGenesis } from '../../cli/src/commands/genesis';
import { aggregatorClient } from '../../cli/src/devnet/blobs';
import { submitJob } from '../../cli/src/devnet/job';
import { freePort } from '../../cli/src/devnet/mesh';
import { parseDevnetOptions } from '../../cli/src/devnet/options';
import { services } from '../../cli/src/devnet/services';
import { sample } from './prometheus';

const exporter = new InMemorySpanExporter();
const processor = new SimpleSpanProcessor(exporter);
const telemetry = startTelemetry({ serviceName: 'learnchain-devnet', spanProcessors: [processor] });

/** A span as plain JSON. */
export interface SpanRecord {
  readonly name: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  /** SpanKind: 0 internal, 1 server, 2 client, 3 producer, 4 consumer. */
  readonly kind: number;
  readonly attributes: Readonly<Record<string, unknown>>;
}

/** What one observed run wrote. */
export interface ObservedRun {
  readonly chainId: string;
  readonly jobId: string;
  readonly rounds: number;
  /** The membership epoch the aggregator opened round 1 on, from its round record. */
  readonly epoch: number;
  /** Metrics text by service instance name (validator-0, registry, aggregator, trainer-0, ...), before the job and after its last round. */
  readonly before: Readonly<Record<string, string>>;
  readonly after: Readonly<Record<string, string>>;
  readonly spans: readonly SpanRecord[];
}

function record(span: ReadableSpan): SpanRecord {
  return { name: span.name, traceId: span.spanContext().traceId, spanId: span.spanContext().spanId, parentSpanId: span.parentSpanContext?.spanId, kind: span.kind, attributes: { ...span.attributes } };
}

async function scrape(endpoints: ReadonlyMap<string, string>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, address] of endpoints) {
    const response = await fetch(`http://${address}/metrics`);
    if (!response.ok) throw new Error(`${name}: GET /metrics answered ${response.status}`);
    out[name] = await response.text();
  }
  return out;
}

async function main(): Promise<void> {
  const [out, roundsArg] = process.argv.slice(2);
  if (!out) throw new Error('usage: observed-devnet.ts OUT [ROUNDS]');
  const rounds = Number(roundsArg ?? '1');
  const options = parseDevnetOptions(
    new Map([
      ['trainers', '2'],
      ['validators', '4'],
      ['clients', '12'],
      ['rounds', String(rounds)],
      ['epochs', '1'],
      ['validation-samples', '200'],
      ['rule', 'fedavg'],
    ]),
  );
  const dir = mkdtempSync(join(tmpdir(), 'learnchain-observed-'));
  const chainId = `learnchain-observed-${process.pid}`;
  const files = writeGenesis({ validators: options.validators, out: dir, chainId });
  const genesisJson = readFileSync(files.genesisPath, 'utf8');
  const loopback = async (): Promise<string> => `127.0.0.1:${await freePort()}`;
  const validatorAddresses = await Promise.all(Array.from({ length: options.validators }, loopback));
  const aggregatorAddress = await loopback();
  const broker = new LocalBroker();
  const stream = 'observed';
  const common = { LEARNCHAIN_CHAIN_ID: chainId, LEARNCHAIN_LOG_LEVEL: 'error', LEARNCHAIN_STREAM: stream, DATABASE_URL: 'pglite:memory', LEARNCHAIN_METRICS_LISTEN: '127.0.0.1:0' };
  const bus = () => LocalEventBus.create({ broker, stream, subjectsPrefix: chainId });
  const stops: (() => Promise<void>)[] = [];
  const endpoints = new Map<string, string>();
  let stage = 'starting validators';
  const V = services.validator();
  const R = services.registry();
  const A = services.aggregator();
  const T = services.trainer();
  try {
    const validators = await Promise.all(
      validatorAddresses.map(async (address, i) => {
        const env = {
          ...common,
          LEARNCHAIN_VALIDATOR_LISTEN: address,
          LEARNCHAIN_PEERS: validatorAddresses.filter((a) => a !== address).join(','),
          LEARNCHAIN_KEY_FILE: files.validatorKeys[i] as string,
          LEARNCHAIN_GENESIS: genesisJson,
          LEARNCHAIN_WAL_DIR: join(dir, `validator-${i}-wal`),
          LEARNCHAIN_AGGREGATOR: aggregatorAddress,
          // Verifying a round re-executes it; on a busy machine that outlasts the default round timeout, and each new consensus round verifies again.
          LEARNCHAIN_TIMEOUT_ROUND_MS: '10000',
        };
        const v = await V.startValidator(loadConfig(V.validatorConfig, { env }), { bus: await bus() });
        stops.push(() => v.stop());
        endpoints.set(`validator-${i}`, v.metricsAddress);
        return v;
      }),
    );
    stage = 'starting the registry';
    const registry = await R.startRegistry(
      loadConfig(R.registryConfig, {
        env: { ...common, LEARNCHAIN_REGISTRY_LISTEN: '127.0.0.1:0', LEARNCHAIN_LEASE_TTL_MS: '30000', LEARNCHAIN_VALIDATORS: validatorAddresses.join(','), LEARNCHAIN_REGISTRY_KEY_FILE: files.registryKey },
      }),
      await bus(),
    );
    stops.unshift(() => registry.stop());
    endpoints.set('registry', registry.metricsAddress);
    stage = 'starting the aggregator';
    const aggregator = await A.startAggregator(
      loadConfig(A.aggregatorConfig, {
        env: {
          ...common,
          LEARNCHAIN_AGGREGATOR_LISTEN: aggregatorAddress,
          LEARNCHAIN_REGISTRY: registry.address,
          LEARNCHAIN_VALIDATORS: validatorAddresses.join(','),
          LEARNCHAIN_AGGREGATOR_KEY_FILE: files.aggregatorKey,
          LEARNCHAIN_ROUND_GRACE_MS: '300',
          LEARNCHAIN_ROUND_RETRY_MS: '1000',
          LEARNCHAIN_ROUND_TICK_MS: '100',
        },
      }),
      { bus: await bus() },
    );
    stops.unshift(() => aggregator.stop());
    endpoints.set('aggregator', aggregator.metricsAddress);
    stage = 'starting trainers';
    for (let i = 0; i < options.trainers; i++) {
      const env = {
        ...common,
        LEARNCHAIN_REGISTRY: registry.address,
        LEARNCHAIN_AGGREGATOR: aggregatorAddress,
        LEARNCHAIN_VALIDATORS: validatorAddresses.join(','),
        LEARNCHAIN_PARTITION: `dirichlet:${options.alpha}`,
        LEARNCHAIN_CLIENTS: String(options.clients),
        LEARNCHAIN_CLIENT_INDEX: String(i),
        LEARNCHAIN_SEED: String(options.seed),
        LEARNCHAIN_DEVICE: 'cpu',
      };
      const trainer = await T.startTrainer(loadConfig(T.trainerConfig, { env }), { bus: await bus() });
      stops.unshift(() => trainer.stop('done'));
      endpoints.set(`trainer-${i}`, trainer.metricsAddress);
    }
    const before = await scrape(endpoints);

    stage = 'submitting the job';
    const client = aggregatorClient(aggregatorAddress);
    let jobId: string;
    try {
      jobId = (await submitJob(options, chainId, client, validators[0]?.address as string)).jobId;
    } finally {
      client.close();
    }
    stage = 'running the job';
    const deadline = Date.now() + 420_000;
    for (;;) {
      const current = await aggregator.rounds.currentRound(jobId);
      if (current && current.state === 'committed' && current.round >= rounds) break;
      if (Date.now() > deadline) throw new Error(`round ${rounds} of job ${jobId} did not commit in time (now: ${JSON.stringify(current?.state)} ${current?.round})`);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    // Let every validator store and announce the last block.
    await Promise.all(validators.map((v) => v.chain.drainEvents()));
    // Three validators' votes commit a block: the fourth may still be verifying the round (its span ends when it does).
    const verifiedAll = Date.now() + 30_000;
    let after = await scrape(endpoints);
    while (Date.now() < verifiedAll && validators.some((_, i) => sample(after[`validator-${i}`], 'learnchain_rounds_verified_total') < rounds)) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      after = await scrape(endpoints);
    }
    const epoch = (await aggregator.rounds.round(jobId, 1))?.epoch ?? -1;
    for (const stop of stops) await stop();
    await processor.forceFlush();
    const run: ObservedRun = { chainId, jobId, rounds, epoch, before, after, spans: exporter.getFinishedSpans().map(record) };
    writeFileSync(out, JSON.stringify(run));
    await telemetry.shutdown().catch(() => undefined);
  } catch (error) {
    for (const stop of stops) await stop().catch(() => undefined);
    throw new Error(`${stage}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`observed devnet failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
