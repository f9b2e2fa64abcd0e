/** The aggregator's configuration: environment variables and flags. */
import { eventStreamFields, field, LOG_LEVELS } from '@learnchain/core';

const MiB = 1024 * 1024;

export const aggregatorConfig = {
  chainId: field.string({ env: 'LEARNCHAIN_CHAIN_ID', flag: 'chain-id', doc: 'The chain this aggregator serves; every update names it.', default: 'learnchain-devnet' }),
  listen: field.address({ env: 'LEARNCHAIN_AGGREGATOR_LISTEN', flag: 'listen', doc: 'Where the Aggregator gRPC service listens.', default: '0.0.0.0:7300' }),
  database: field.string({ env: 'DATABASE_URL', flag: 'database', doc: 'postgres://... or pglite:memory / pglite:/dir (embedded).', default: 'pglite:memory' }),
  schema: field.string({ env: 'LEARNCHAIN_AGGREGATOR_SCHEMA', flag: 'schema', doc: 'The database schema this instance owns.', default: 'aggregator' }),
  nats: field.optional(field.url({ env: 'NATS_URL', flag: 'nats', doc: 'NATS with JetStream for events; absent: events stay in-process.', protocols: ['nats', 'tls'] })),
  ...eventStreamFields,
  consumer: field.string({ env: 'LEARNCHAIN_AGGREGATOR_CONSUMER', flag: 'consumer', doc: 'The durable consumer that reads job events.', default: 'aggregator' }),
  registry: field.optional(field.address({ env: 'LEARNCHAIN_REGISTRY', flag: 'registry', doc: 'The registry, host:port, for the active trainers.' })),
  validators: field.list({ env: 'LEARNCHAIN_VALIDATORS', flag: 'validators', doc: 'Validators, host:port comma-separated, for jobs and round results.', default: [] }),
  keyFile: field.optional(field.string({ env: 'LEARNCHAIN_AGGREGATOR_KEY_FILE', flag: 'key-file', doc: 'The aggregator key file (JSON written by the key tools).' })),
  key: field.optional(field.string({ env: 'LEARNCHAIN_AGGREGATOR_KEY', flag: 'key', doc: 'The aggregator key as a 32-byte seed, hex or base64 (instead of a key file).' })),
  maxBlobBytes: field.int({ env: 'LEARNCHAIN_MAX_BLOB_BYTES', flag: 'max-blob-bytes', doc: 'The largest blob (update, model, dataset) accepted.', default: 256 * MiB, min: 1024 }),
  chunkBytes: field.int({ env: 'LEARNCHAIN_CHUNK_BYTES', flag: 'chunk-bytes', doc: 'The largest data chunk of a stream message, and the stored chunk size.', default: MiB, min: 1024, max: 4 * MiB }),
  blobCacheBytes: field.int({ env: 'LEARNCHAIN_BLOB_CACHE_BYTES', flag: 'blob-cache-bytes', doc: 'Bytes of recently stored or read blobs kept in memory for rounds and fetches (0: none).', default: 256 * MiB, min: 0 }),
  keepUpdateRounds: field.int({ env: 'LEARNCHAIN_KEEP_UPDATE_ROUNDS', flag: 'keep-update-rounds', doc: "Committed rounds of a job whose updates' bytes are kept: an update's bytes are deleted once this many later rounds of its job have committed (the chain keeps its hash, signer and credit). 0: kept forever.", default: 4, min: 0 }),
  keepFinishedUpdatesMs: field.int({ env: 'LEARNCHAIN_KEEP_FINISHED_UPDATES_MS', flag: 'keep-finished-updates-ms', doc: "How long a finished job's last updates' bytes (those still within LEARNCHAIN_KEEP_UPDATE_ROUNDS when it ended) are kept after its last round committed (with LEARNCHAIN_KEEP_UPDATE_ROUNDS 0, every update is kept).", default: 24 * 3600 * 1000, min: 0 }),
  keepModelRounds: field.int({ env: 'LEARNCHAIN_KEEP_MODEL_ROUNDS', flag: 'keep-model-rounds', doc: "Committed rounds of a job whose models are kept: a round's model is deleted once this many later rounds of its job have committed, unless it is a checkpoint (LEARNCHAIN_MODEL_CHECKPOINT_ROUNDS). A job's initial and last models are always kept, and the chain keeps every model's hash. 0: every model kept.", default: 8, min: 0 }),
  modelCheckpointRounds: field.int({ env: 'LEARNCHAIN_MODEL_CHECKPOINT_ROUNDS', flag: 'model-checkpoint-rounds', doc: 'Models of rounds that are multiples of this are kept for good (checkpoints), whatever LEARNCHAIN_KEEP_MODEL_ROUNDS says. 0: no checkpoints.', default: 10, min: 0 }),
  keepUnnamedModelsMs: field.int({ env: 'LEARNCHAIN_KEEP_UNNAMED_MODELS_MS', flag: 'keep-unnamed-models-ms', doc: 'How long model parameters that no round and no job names are kept (the result of an attempt that failed and was opened again; initial parameters stored for a job this aggregator has not seen yet). Applies only with LEARNCHAIN_KEEP_MODEL_ROUNDS above 0.', default: 3600 * 1000, min: 0 }),
  maxUploads: field.int({ env: 'LEARNCHAIN_MAX_UPLOADS', flag: 'max-uploads', doc: 'Upload streams (updates, blobs) taken at once; more are answered RESOURCE_EXHAUSTED.', default: 32, min: 1 }),
  graceMs: field.int({ env: 'LEARNCHAIN_ROUND_GRACE_MS', flag: 'grace-ms', doc: 'How long a round stays open after its quorum arrived.', default: 2000, min: 0 }),
  quorumFraction: field.number({ env: 'LEARNCHAIN_ROUND_QUORUM', flag: 'quorum', doc: 'Share of the participants that makes a quorum (never below the job minimum).', default: 0.8, min: 0, max: 1 }),
  retryDelayMs: field.int({ env: 'LEARNCHAIN_ROUND_RETRY_MS', flag: 'retry-ms', doc: 'Wait before a failed round or submission is tried again.', default: 2000, min: 10 }),
  pipeline: field.boolean({ env: 'LEARNCHAIN_ROUND_PIPELINE', flag: 'pipeline', doc: "Open each round on the previous round's aggregated model while that result is being committed (false: once it is committed).", default: true }),
  tickMs: field.int({ env: 'LEARNCHAIN_ROUND_TICK_MS', flag: 'tick-ms', doc: "How often every job's rounds are looked at, whatever else happens: a net for what no event announces (a base model stored after its job). Deadlines, grace periods and retries are kept to the millisecond by timers of their own.", default: 1000, min: 10 }),
  logLevel: field.oneOf({ env: 'LEARNCHAIN_LOG_LEVEL', flag: 'log-level', doc: 'pino log level.', values: LOG_LEVELS, default: 'info' }),
  otlpEndpoint: field.optional(field.string({ env: 'OTEL_EXPORTER_OTLP_ENDPOINT', flag: 'otlp-endpoint', doc: 'OTLP/gRPC endpoint for traces; absent: none exported.' })),
  metricsListen: field.optional(field.address({ env: 'LEARNCHAIN_METRICS_LISTEN', flag: 'metrics-listen', doc: 'Where Prometheus metrics are served (http://host:port/metrics); port 0 takes a free port; absent: not served.' })),
};
