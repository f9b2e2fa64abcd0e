/** The trainer's configuration: environment variables and flags, checked once at start. */
import { eventStreamFields, ConfigError, field, LOG_LEVELS, sha256, type ConfigOf, type Field } from '@learnchain/core';

import { ATTACKS } from './attacks';
import { parsePartition, type PartitionSpec } from './data';
import { FRAMING_BYTES } from './upload';

const MiB = 1024 * 1024;

export const trainerConfig = {
  chainId: field.string({ env: 'LEARNCHAIN_CHAIN_ID', flag: 'chain-id', doc: 'The chain this trainer works for; every signed update names it.', default: 'learnchain-devnet' }),
  registry: field.address({ env: 'LEARNCHAIN_REGISTRY', flag: 'registry', doc: 'The registry, host:port, to join and heartbeat.', default: '127.0.0.1:7100' }),
  aggregator: field.address({ env: 'LEARNCHAIN_AGGREGATOR', flag: 'aggregator', doc: 'The aggregator, host:port: base models from it, updates to it.', default: '127.0.0.1:7300' }),
  validators: field.list({ env: 'LEARNCHAIN_VALIDATORS', flag: 'validators', doc: 'Validators, host:port comma-separated, for the jobs\' hyper-parameters.', default: [] }),
  nats: field.optional(field.url({ env: 'NATS_URL', flag: 'nats', doc: 'NATS with JetStream for round events; absent: an in-process bus (only useful inside one process).', protocols: ['nats', 'tls'] })),
  ...eventStreamFields,
  keyFile: field.optional(field.string({ env: 'LEARNCHAIN_TRAINER_KEY_FILE', flag: 'key-file', doc: 'The trainer key file (JSON written by the key tools).' })),
  key: field.optional(field.string({ env: 'LEARNCHAIN_TRAINER_KEY', flag: 'key', doc: 'The trainer key as a 32-byte seed, hex or base64 (instead of a key file); neither: a fresh key.' })),
  dataset: field.oneOf({ env: 'LEARNCHAIN_DATASET', flag: 'dataset', doc: 'The dataset whose training split is partitioned.', values: ['mnist'] as const, default: 'mnist' }),
  partition: field.string({ env: 'LEARNCHAIN_PARTITION', flag: 'partition', doc: 'How the split is partitioned: iid, dirichlet:ALPHA or shards:PER_CLIENT.', default: 'iid' }),
  clients: field.int({ env: 'LEARNCHAIN_CLIENTS', flag: 'clients', doc: 'N: the number of partitions.', default: 1, min: 1 }),
  clientIndex: clientIndexField(),
  seed: field.int({ env: 'LEARNCHAIN_SEED', flag: 'seed', doc: "Seed of the partition (every trainer must use the same) and of local shuffles (mixed with the trainer's key when the client index is auto).", default: 1 }),
  device: field.oneOf({ env: 'LEARNCHAIN_DEVICE', flag: 'device', doc: 'Execution provider: auto (CUDA when a GPU is detected), cpu or cuda.', values: ['auto', 'cpu', 'cuda'] as const, default: 'auto' }),
  threads: field.int({ env: 'LEARNCHAIN_TRAINER_THREADS', flag: 'threads', doc: "onnxruntime threads per operator; 0: its default, one per core (idle ones spin). 1 where many services share a few cores.", default: 0, min: 0, max: 256 }),
  nice: field.int({ env: 'LEARNCHAIN_TRAINER_NICE', flag: 'nice', doc: "The nice value training runs at (Linux, 0-19; the rest of the process stays at its own): where the cores are shared, the node's heartbeats, fetches and uploads, and the rest of its process, go before training. 0: training at the process's priority.", default: 10, min: 0, max: 19 }),
  requireGpu: field.boolean({ env: 'LEARNCHAIN_REQUIRE_GPU', flag: 'require-gpu', doc: 'Fail at start instead of falling back to CPU when CUDA does not work.', default: false }),
  attack: field.oneOf({ env: 'LEARNCHAIN_ATTACK', flag: 'attack', doc: 'TEST ONLY: misbehave on purpose (robustness and fault suites).', values: ATTACKS, default: 'none' }),
  attackMagnitude: field.number({ env: 'LEARNCHAIN_ATTACK_MAGNITUDE', flag: 'attack-magnitude', doc: 'TEST ONLY: the factor of scale, σ of gaussian, range of random.', default: 10, min: 0 }),
  chunkBytes: field.int({ env: 'LEARNCHAIN_CHUNK_BYTES', flag: 'chunk-bytes', doc: 'The largest data chunk of one upload message.', default: MiB, min: 1024, max: 4 * MiB - FRAMING_BYTES }),
  maxMessageBytes: field.int({ env: 'LEARNCHAIN_MAX_MESSAGE_BYTES', flag: 'max-message-bytes', doc: 'The largest gRPC message sent or received.', default: 4 * MiB, min: 64 * 1024 }),
  maxModelBytes: field.int({ env: 'LEARNCHAIN_MAX_MODEL_BYTES', flag: 'max-model-bytes', doc: 'The largest base model accepted from the aggregator.', default: 512 * MiB, min: 1024 }),
  ackWaitMs: field.int({ env: 'LEARNCHAIN_TRAINER_ACK_WAIT_MS', flag: 'ack-wait-ms', doc: 'How long a round event may stay unacknowledged while its round runs.', default: 600_000, min: 1000 }),
  replayMs: field.int({ env: 'LEARNCHAIN_TRAINER_REPLAY_MS', flag: 'replay-ms', doc: "How far back from its start a trainer whose event consumer is new reads round.opened events (a round opened before then is over, or did not ask it); a trainer that keeps its key resumes its consumer where it was.", default: 600_000, min: 0 }),
  drainMs: field.int({ env: 'LEARNCHAIN_TRAINER_DRAIN_MS', flag: 'drain-ms', doc: 'On SIGTERM, how long the round in flight may still finish before it is aborted.', default: 10_000, min: 0 }),
  logLevel: field.oneOf({ env: 'LEARNCHAIN_LOG_LEVEL', flag: 'log-level', doc: 'pino log level.', values: LOG_LEVELS, default: 'info' }),
  otlpEndpoint: field.optional(field.string({ env: 'OTEL_EXPORTER_OTLP_ENDPOINT', flag: 'otlp-endpoint', doc: 'OTLP/gRPC endpoint for traces; absent: none exported.' })),
  metricsListen: field.optional(field.address({ env: 'LEARNCHAIN_METRICS_LISTEN', flag: 'metrics-listen', doc: 'Where Prometheus metrics are served (http://host:port/metrics); port 0 takes a free port; absent: not served.' })),
};

export type TrainerConfig = ConfigOf<typeof trainerConfig>;

/** K of N, or 'auto': picked from the trainer's key, so identical replicas (compose --scale) spread over the partitions. */
function clientIndexField(): Field<number | 'auto'> {
  const index = field.int({ env: 'LEARNCHAIN_CLIENT_INDEX', flag: 'client-index', doc: '', min: 0 });
  return {
    env: index.env,
    flag: 'client-index',
    doc: "K: this trainer's partition, 0..N-1; auto: derived from the trainer's key (for identical replicas).",
    kind: "integer | 'auto'",
    default: 0,
    parse: (raw) => (raw.trim() === 'auto' ? 'auto' : index.parse(raw)),
  };
}

/** The first 32 bits of the SHA-256 of `bytes`, big-endian. */
function hashWord(bytes: Uint8Array): number {
  const hash = sha256(bytes);
  return new DataView(hash.buffer, hash.byteOffset, 4).getUint32(0);
}

/** The partition an 'auto' trainer takes: its key's hash modulo N. */
export function autoClientIndex(publicKey: Uint8Array, clients: number): number {
  return hashWord(publicKey) % clients;
}

/**
 * The seed of a trainer's local shuffles. Replicas with 'auto' client indices
 * draw their partitions from their keys, so two of them may hold the same
 * shard; trained with the same shuffles from the same base they would upload
 * byte-identical updates, and the aggregator takes only the first (it refuses
 * an update already submitted, the defence against copying another node's
 * work). Their shuffles are therefore their own: the seed mixed with the key.
 * A trainer given its index keeps the configured seed (reproducible runs).
 */
export function shuffleSeed(config: Pick<TrainerConfig, 'seed' | 'clientIndex'>, publicKey: Uint8Array): number {
  if (config.clientIndex !== 'auto') return config.seed;
  return (config.seed ^ hashWord(Buffer.concat([Buffer.from('learnchain/shuffle/'), publicKey]))) >>> 0;
}

/** Checks what one field alone cannot (throws ConfigError) and parses the partition. */
export function checkTrainerConfig(config: TrainerConfig): { readonly partition: PartitionSpec } {
  if (config.clientIndex !== 'auto' && config.clientIndex >= config.clients) {
    throw new ConfigError('LEARNCHAIN_CLIENT_INDEX', 'client-index', `must be below --clients (${config.clients}), got ${config.clientIndex}`);
  }
  if (config.chunkBytes + FRAMING_BYTES > config.maxMessageBytes) {
    throw new ConfigError('LEARNCHAIN_CHUNK_BYTES', 'chunk-bytes', `must leave ${FRAMING_BYTES} bytes of framing in a ${config.maxMessageBytes}-byte message`);
  }
  if (config.key !== undefined && config.keyFile !== undefined) {
    throw new ConfigError('LEARNCHAIN_TRAINER_KEY', 'key', 'give either a key or a key file, not both');
  }
  try {
    return { partition: parsePartition(config.partition) };
  } catch (error) {
    throw new ConfigError('LEARNCHAIN_PARTITION', 'partition', (error as Error).message);
  }
}
