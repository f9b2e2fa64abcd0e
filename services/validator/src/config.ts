/** The validator's configuration: environment variables and flags. */
import { field, LOG_LEVELS } from '@learnchain/core';

export const validatorConfig = {
  listen: field.address({ env: 'LEARNCHAIN_VALIDATOR_LISTEN', flag: 'listen', doc: 'Where the Validator and Consensus gRPC services listen.', default: '0.0.0.0:7200' }),
  peers: field.list({ env: 'LEARNCHAIN_PEERS', flag: 'peers', doc: 'The other validators, host:port, comma-separated.', default: [] }),
  key: field.optional(field.string({ env: 'LEARNCHAIN_KEY_FILE', flag: 'key', doc: 'The validator key file (written by learnchain genesis).' })),
  keySeed: field.optional(field.string({ env: 'LEARNCHAIN_KEY', flag: 'key-seed', doc: 'The validator key as a hex or base64 seed (instead of a key file).' })),
  genesis: field.optional(field.string({ env: 'LEARNCHAIN_GENESIS_FILE', flag: 'genesis', doc: 'The genesis file (written by learnchain genesis).' })),
  genesisJson: field.optional(field.string({ env: 'LEARNCHAIN_GENESIS', flag: 'genesis-json', doc: 'The genesis document itself, as JSON (instead of a file).' })),
  database: field.string({ env: 'DATABASE_URL', flag: 'database', doc: 'postgres://... or pglite:memory / pglite:/dir (embedded).', default: 'pglite:memory' }),
  schema: field.string({ env: 'LEARNCHAIN_VALIDATOR_SCHEMA', flag: 'schema', doc: 'The database schema this validator owns (one per validator).', default: 'validator' }),
  walDir: field.string({ env: 'LEARNCHAIN_WAL_DIR', flag: 'wal-dir', doc: 'Folder of the write-ahead log of own votes and consensus inputs.', default: './data/validator-wal' }),
  aggregator: field.optional(field.address({ env: 'LEARNCHAIN_AGGREGATOR', flag: 'aggregator', doc: 'An aggregator, host:port, whose GetBlob serves the update and model blobs rounds are verified from. Absent: rounds cannot be verified and are voted against.' })),
  maxBlobBytes: field.int({ env: 'LEARNCHAIN_MAX_BLOB_BYTES', flag: 'max-blob-bytes', doc: 'Largest blob fetched to verify a round.', default: 512 * 1024 * 1024, min: 1024 }),
  nats: field.optional(field.url({ env: 'NATS_URL', flag: 'nats', doc: 'NATS with JetStream for block events; absent: events stay in-process.', protocols: ['nats', 'tls'] })),
  stream: field.string({ env: 'LEARNCHAIN_STREAM', flag: 'stream', doc: 'The JetStream stream holding learnchain events.', default: 'learnchain' }),
  proposeTimeoutMs: field.int({ env: 'LEARNCHAIN_TIMEOUT_PROPOSE_MS', flag: 'timeout-propose-ms', doc: 'How long round 0 waits for a proposal (only matters when the proposer fails).', default: 3000, min: 10 }),
  roundTimeoutMs: field.int({ env: 'LEARNCHAIN_TIMEOUT_ROUND_MS', flag: 'timeout-round-ms', doc: 'Base of the propose timeout of rounds > 0 and of the prevote/precommit timeouts; grows by half of it per round.', default: 500, min: 10 }),
  timeoutCommitMs: field.int({ env: 'LEARNCHAIN_TIMEOUT_COMMIT_MS', flag: 'timeout-commit-ms', doc: 'Pause after a commit before the next height starts.', default: 0, min: 0 }),
  emptyBlockIntervalMs: field.int({ env: 'LEARNCHAIN_EMPTY_BLOCK_INTERVAL_MS', flag: 'empty-block-interval-ms', doc: 'How long a proposer with an empty mempool waits for a transaction before it proposes an empty block.', default: 1000, min: 0 }),
  relayAfterMs: field.int({ env: 'LEARNCHAIN_RELAY_AFTER_MS', flag: 'relay-after-ms', doc: 'A height that has not committed after this long gets its votes re-gossiped to every peer (its proposal after four times as long).', default: 500, min: 10 }),
  mempoolMaxTxs: field.int({ env: 'LEARNCHAIN_MEMPOOL_MAX_TXS', flag: 'mempool-max-txs', doc: 'Transactions the mempool holds before it answers RESOURCE_EXHAUSTED.', default: 50_000, min: 1 }),
  maxMessageBytes: field.int({ env: 'LEARNCHAIN_MAX_MESSAGE_BYTES', flag: 'max-message-bytes', doc: 'Largest gRPC message accepted or sent.', default: 16 * 1024 * 1024, min: 1024 }),
  logLevel: field.oneOf({ env: 'LEARNCHAIN_LOG_LEVEL', flag: 'log-level', doc: 'pino log level.', values: LOG_LEVELS, default: 'info' }),
  otlpEndpoint: field.optional(field.string({ env: 'OTEL_EXPORTER_OTLP_ENDPOINT', flag: 'otlp-endpoint', doc: 'OTLP/gRPC endpoint for traces; absent: none exported.' })),
  testCrashAfterPrecommitHeight: field.int({ env: 'LEARNCHAIN_TEST_CRASH_AFTER_PRECOMMIT_HEIGHT', flag: 'test-crash-after-precommit-height', doc: 'TEST ONLY: exit right after the write-ahead log holds the first own precommit at this height or above, before sending it. 0: off.', default: 0, min: 0 }),
  testEquivocateHeight: field.int({ env: 'LEARNCHAIN_TEST_EQUIVOCATE_HEIGHT', flag: 'test-equivocate-height', doc: 'TEST ONLY: from this height on, sign a second, conflicting prevote (a Byzantine validator). 0: off.', default: 0, min: 0 }),
};
