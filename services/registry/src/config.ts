/** The registry's configuration: environment variables and flags. */
import { eventStreamFields, field, LOG_LEVELS } from '@learnchain/core';

export const registryConfig = {
  chainId: field.string({ env: 'LEARNCHAIN_CHAIN_ID', flag: 'chain-id', doc: 'The chain this registry serves; every signed request names it.', default: 'learnchain-devnet' }),
  listen: field.address({ env: 'LEARNCHAIN_REGISTRY_LISTEN', flag: 'listen', doc: 'Where the Registry gRPC service listens.', default: '0.0.0.0:7100' }),
  database: field.string({ env: 'DATABASE_URL', flag: 'database', doc: 'postgres://... or pglite:memory / pglite:/dir (embedded).', default: 'pglite:memory' }),
  schema: field.string({ env: 'LEARNCHAIN_REGISTRY_SCHEMA', flag: 'schema', doc: 'The database schema this instance owns (replicas of one registry share it).', default: 'registry' }),
  nats: field.optional(field.url({ env: 'NATS_URL', flag: 'nats', doc: 'NATS with JetStream for membership events; absent: events stay in-process.', protocols: ['nats', 'tls'] })),
  ...eventStreamFields,
  leaseTtlMs: field.int({ env: 'LEARNCHAIN_LEASE_TTL_MS', flag: 'lease-ttl-ms', doc: 'How long a lease lasts without a heartbeat.', default: 10_000, min: 500 }),
  sweepIntervalMs: field.int({ env: 'LEARNCHAIN_SWEEP_INTERVAL_MS', flag: 'sweep-interval-ms', doc: 'How often lapsed leases are looked for.', default: 500, min: 50 }),
  keepDepartedMs: field.int({
    env: 'LEARNCHAIN_KEEP_DEPARTED_MS',
    flag: 'keep-departed-ms',
    doc: 'How long members that left or failed, and membership changes, are kept (0: for ever); Watch cannot resume from an epoch whose changes were deleted.',
    default: 7 * 24 * 3_600_000,
    min: 0,
  }),
  challengeTtlMs: field.int({ env: 'LEARNCHAIN_CHALLENGE_TTL_MS', flag: 'challenge-ttl-ms', doc: 'How long a join challenge stays valid.', default: 30_000, min: 1000 }),
  watchPollMs: field.int({ env: 'LEARNCHAIN_WATCH_POLL_MS', flag: 'watch-poll-ms', doc: 'How often Watch streams look for changes made by other replicas.', default: 250, min: 20 }),
  admission: field.oneOf({ env: 'LEARNCHAIN_ADMISSION', flag: 'admission', doc: 'Who may join.', values: ['open', 'allow-list', 'min-reputation'] as const, default: 'open' }),
  allowList: field.optional(field.string({ env: 'LEARNCHAIN_ALLOW_LIST', flag: 'allow-list', doc: 'File of hex public keys, one per line (admission allow-list).' })),
  minReputation: field.number({ env: 'LEARNCHAIN_MIN_REPUTATION', flag: 'min-reputation', doc: 'Lowest reputation admitted (admission min-reputation).', default: 0 }),
  validators: field.list({ env: 'LEARNCHAIN_VALIDATORS', flag: 'validators', doc: 'Validators (host:port, comma-separated) to record membership on chain and read reputations from; empty: membership stays off chain.', default: [] }),
  keyFile: field.optional(field.string({ env: 'LEARNCHAIN_REGISTRY_KEY_FILE', flag: 'key-file', doc: "The registry's key file (listed in genesis as a registry key); needed to record membership on chain." })),
  key: field.optional(field.string({ env: 'LEARNCHAIN_REGISTRY_KEY', flag: 'key', doc: "The registry's key as a hex or base64 seed (instead of a key file)." })),
  logLevel: field.oneOf({ env: 'LEARNCHAIN_LOG_LEVEL', flag: 'log-level', doc: 'pino log level.', values: LOG_LEVELS, default: 'info' }),
  otlpEndpoint: field.optional(field.string({ env: 'OTEL_EXPORTER_OTLP_ENDPOINT', flag: 'otlp-endpoint', doc: 'OTLP/gRPC endpoint for traces; absent: none exported.' })),
  metricsListen: field.optional(field.address({ env: 'LEARNCHAIN_METRICS_LISTEN', flag: 'metrics-listen', doc: 'Where Prometheus metrics are served (http://host:port/metrics); port 0 takes a free port; absent: not served.' })),
};
