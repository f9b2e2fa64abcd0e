/** The aggregator's tables, and the migrations that create them. */
import type { ColumnType, Kysely, Migrations, Transaction } from '@learnchain/storage';

/** bigint columns: pg returns strings, PGlite numbers; write numbers, read through Number(). */
type Int8 = ColumnType<string | number | bigint, number, number>;

export type RoundStateName = 'open' | 'closed' | 'committed' | 'failed';
export type BlobKindName = 'parameters' | 'update' | 'dataset' | 'model';

export interface AggregatorDb {
  /** One row per content-addressed blob; its bytes are in blob_chunks. */
  blobs: { hash: string; size: Int8; kind: BlobKindName; chunks: number; created_at_ms: Int8 };
  /** A blob's bytes, split in fixed-size chunks numbered from 0. */
  blob_chunks: { hash: string; seq: number; data: Uint8Array };
  /** Jobs learnt from the ledger, with the details rounds need (JSON of JobSpec). */
  jobs: {
    job_id: string;
    spec: string;
    created_at_ms: Int8;
    /** The job's last round (its spec's `rounds`); 0: no last round. */
    last_round: ColumnType<string | number | bigint, number | undefined, number>;
  };
  /** The state of every round of every job; `attempt` counts re-openings after a failure. */
  rounds: {
    job_id: string;
    round: Int8;
    attempt: number;
    state: RoundStateName;
    base_model_hash: string;
    epoch: Int8;
    /** JSON [{nodeId, publicKey(hex)}]. */
    participants: string;
    opened_at_ms: Int8;
    deadline_ms: Int8;
    extended: boolean;
    closed_by: string | null;
    /** JSON of the RoundResult once aggregated. */
    result: string | null;
    new_model_hash: string | null;
    height: Int8 | null;
    block_hash: string | null;
    failure: string;
    /** When a failed round may be opened again. */
    retry_at_ms: Int8 | null;
    /** When the aggregator learnt that the chain committed the round (its clock). */
    committed_at_ms: Int8 | null;
  };
  /** Accepted updates: committed together with their bytes before the trainer hears OK. */
  updates: {
    job_id: string;
    round: Int8;
    node_id: string;
    update_hash: string;
    size: Int8;
    encoding: string;
    num_samples: Int8;
    public_key: Uint8Array;
    signature: Uint8Array;
    stats: string;
    received_at_ms: Int8;
  };
  /** Single row: the next nonce of the aggregator's transactions. */
  aggregator_meta: { id: number; next_nonce: Int8 };
  /** Round events written with the state they announce, published from here (see store/outbox.ts). */
  event_outbox: {
    seq: ColumnType<string | number | bigint, never, never>;
    msg_id: string;
    subject: string;
    /** The bus codec's bytes of the payload. */
    payload: Uint8Array;
    created_at_ms: Int8;
    published: ColumnType<boolean, boolean | undefined, boolean>;
  };
}

/** The database, or a transaction on it. */
export type Db = Kysely<AggregatorDb> | Transaction<AggregatorDb>;

export const migrations: Migrations = {
  '0001_aggregator': {
    async up(db) {
      await db.schema
        .createTable('blobs')
        .addColumn('hash', 'text', (c) => c.primaryKey())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('chunks', 'integer', (c) => c.notNull())
        .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('blob_chunks')
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('data', 'bytea', (c) => c.notNull())
        .addPrimaryKeyConstraint('blob_chunks_pk', ['hash', 'seq'])
        .execute();
      await db.schema
        .createTable('jobs')
        .addColumn('job_id', 'text', (c) => c.primaryKey())
        .addColumn('spec', 'text', (c) => c.notNull())
        .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('rounds')
        .addColumn('job_id', 'text', (c) => c.notNull())
        .addColumn('round', 'bigint', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('base_model_hash', 'text', (c) => c.notNull())
        .addColumn('epoch', 'bigint', (c) => c.notNull())
        .addColumn('participants', 'text', (c) => c.notNull())
        .addColumn('opened_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('deadline_ms', 'bigint', (c) => c.notNull())
        .addColumn('extended', 'boolean', (c) => c.notNull())
        .addColumn('closed_by', 'text')
        .addColumn('result', 'text')
        .addColumn('new_model_hash', 'text')
        .addColumn('height', 'bigint')
        .addColumn('block_hash', 'text')
        .addColumn('failure', 'text', (c) => c.notNull())
        .addColumn('retry_at_ms', 'bigint')
        .addPrimaryKeyConstraint('rounds_pk', ['job_id', 'round'])
        .execute();
      await db.schema
        .createTable('updates')
        .addColumn('job_id', 'text', (c) => c.notNull())
        .addColumn('round', 'bigint', (c) => c.notNull())
        .addColumn('node_id', 'text', (c) => c.notNull())
        .addColumn('update_hash', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('encoding', 'text', (c) => c.notNull())
        .addColumn('num_samples', 'bigint', (c) => c.notNull())
        .addColumn('public_key', 'bytea', (c) => c.notNull())
        .addColumn('signature', 'bytea', (c) => c.notNull())
        .addColumn('stats', 'text', (c) => c.notNull())
        .addColumn('received_at_ms', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('updates_pk', ['job_id', 'round', 'node_id'])
        .addUniqueConstraint('updates_job_hash', ['job_id', 'update_hash'])
        .execute();
      await db.schema
        .createTable('aggregator_meta')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('next_nonce', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '0002_event_outbox': {
    async up(db) {
      await db.schema
        .createTable('event_outbox')
        .addColumn('seq', 'bigserial', (c) => c.primaryKey())
        .addColumn('msg_id', 'text', (c) => c.notNull().unique())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('payload', 'bytea', (c) => c.notNull())
        .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('published', 'boolean', (c) => c.notNull().defaultTo(false))
        .execute();
      await db.schema.createIndex('event_outbox_unpublished').on('event_outbox').columns(['published', 'seq']).execute();
    },
  },
  '0003_round_committed_at': {
    async up(db) {
      await db.schema.alterTable('rounds').addColumn('committed_at_ms', 'bigint').execute();
    },
  },
  // For the retention of update bytes (store/retention.ts): the update blobs, and which update rows name one.
  '0004_updates_by_hash': {
    async up(db) {
      await db.schema.createIndex('updates_by_hash').on('updates').column('update_hash').execute();
      await db.schema.createIndex('blobs_by_kind').on('blobs').column('kind').execute();
    },
  },
  // Retention knows a finished job by its last round (jobs stored before this: from their spec).
  '0005_job_last_round': {
    async up(db) {
      await db.schema.alterTable('jobs').addColumn('last_round', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
      const jobs = (await db.selectFrom('jobs').select(['job_id', 'spec']).execute()) as { job_id: string; spec: string }[];
      for (const job of jobs) {
        const rounds = Number((JSON.parse(job.spec) as { rounds?: unknown }).rounds);
        if (Number.isSafeInteger(rounds) && rounds > 0) await db.updateTable('jobs').set({ last_round: rounds }).where('job_id', '=', job.job_id).execute();
      }
    },
  },
  // For the retention of models (store/retention.ts): which rounds name a model, as their result or as their base.
  '0006_rounds_by_model': {
    async up(db) {
      await db.schema.createIndex('rounds_by_new_model').on('rounds').column('new_model_hash').execute();
      await db.schema.createIndex('rounds_by_base_model').on('rounds').column('base_model_hash').execute();
    },
  },
};
