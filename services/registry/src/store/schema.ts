/** The registry's tables, and the migrations that create them. */
import type { ColumnType, Migrations } from '@learnchain/storage';
import { sql } from '@learnchain/storage';

/** bigint columns: pg returns strings, PGlite numbers (or bigints); write numbers, read through Number(). */
type Int8 = ColumnType<string | number | bigint, number, number>;

export type MemberStatusName = 'active' | 'left' | 'failed';

export interface RegistryDb {
  registry_meta: {
    id: number;
    epoch: Int8;
    secret: Uint8Array;
    /** Membership changes up to this epoch may have been deleted (store/departed.ts): Watch cannot start before it. */
    compacted_epoch: ColumnType<string | number | bigint, number | undefined, number>;
  };
  members: {
    node_id: string;
    public_key: Uint8Array;
    role: string;
    capabilities: string;
    endpoint: string;
    status: MemberStatusName;
    joined_epoch: Int8;
    lease_expires_at: Int8;
    heartbeat_seq: Int8;
  };
  /** One row per membership change; the epoch names it. Doubles as the outbox for events. */
  membership_changes: {
    epoch: Int8;
    node_id: string;
    status: MemberStatusName;
    previous_status: MemberStatusName | null;
    reason: string;
    member: string;
    at_ms: Int8;
    published: ColumnType<boolean, boolean | undefined, boolean>;
    /** Recorded on chain (or refused by the ledger, with the reason in chain_outcome). */
    submitted: ColumnType<boolean, boolean | undefined, boolean>;
    chain_outcome: ColumnType<string | null, string | null | undefined, string | null>;
  };
  /** Single row: the last nonce the registry's key used on chain. Its lock makes one replica the submitter at a time. */
  chain_submission: { id: number; last_nonce: Int8 };
  /** Join nonces already consumed, kept until they expire. */
  used_challenges: { nonce: Uint8Array; expires_at: Int8 };
}

export const migrations: Migrations = {
  '0001_membership': {
    async up(db) {
      await db.schema
        .createTable('registry_meta')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('epoch', 'bigint', (c) => c.notNull())
        .addColumn('secret', 'bytea', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('members')
        .addColumn('node_id', 'text', (c) => c.primaryKey())
        .addColumn('public_key', 'bytea', (c) => c.notNull().unique())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('capabilities', 'text', (c) => c.notNull())
        .addColumn('endpoint', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('joined_epoch', 'bigint', (c) => c.notNull())
        .addColumn('lease_expires_at', 'bigint', (c) => c.notNull())
        .addColumn('heartbeat_seq', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('members_expiry').on('members').columns(['status', 'lease_expires_at']).execute();
      await db.schema
        .createTable('membership_changes')
        .addColumn('epoch', 'bigint', (c) => c.primaryKey())
        .addColumn('node_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('previous_status', 'text')
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('member', 'text', (c) => c.notNull())
        .addColumn('at_ms', 'bigint', (c) => c.notNull())
        .addColumn('published', 'boolean', (c) => c.notNull().defaultTo(false))
        .execute();
      await sql`create index membership_changes_unpublished on membership_changes (epoch) where not published`.execute(db);
      await db.schema
        .createTable('used_challenges')
        .addColumn('nonce', 'bytea', (c) => c.primaryKey())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '0002_chain_submission': {
    async up(db) {
      await db.schema.alterTable('membership_changes').addColumn('submitted', 'boolean', (c) => c.notNull().defaultTo(false)).execute();
      await db.schema.alterTable('membership_changes').addColumn('chain_outcome', 'text').execute();
      await sql`create index membership_changes_unsubmitted on membership_changes (epoch) where not submitted`.execute(db);
      await db.schema
        .createTable('chain_submission')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('last_nonce', 'bigint', (c) => c.notNull())
        .execute();
      await db.insertInto('chain_submission').values({ id: 1, last_nonce: 0 }).execute();
    },
  },
  '0003_departed_retention': {
    async up(db) {
      await db.schema.alterTable('registry_meta').addColumn('compacted_epoch', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
    },
  },
};
