/**
 * The block store and the ledger state in PostgreSQL (or PGlite), one schema
 * per validator. A block, its commit, the outcomes of its transactions and
 * the state writes it caused are stored in one database transaction.
 */
import type { Canonical } from '@learnchain/core';
import { decodeCanonical, encodeCanonical, toHex } from '@learnchain/core';
import { ARCHIVED_KEY_PATTERN } from '@learnchain/ledger';
import type { ColumnType, Kysely, Migrations, Storage } from '@learnchain/storage';
import { migrateToLatest, sql } from '@learnchain/storage';

import type { StoredSets } from './validator-sets';

/** bigint columns: pg returns strings, PGlite numbers; write numbers, read through Number(). */
type Int8 = ColumnType<string | number | bigint, number, number>;

export interface ValidatorDb {
  chain_blocks: {
    height: Int8;
    hash: Uint8Array;
    block: Uint8Array;
    commit: Uint8Array;
    outcomes: string;
    updates: string;
    app_hash: Uint8Array;
    time_ms: Int8;
    tx_count: number;
  };
  ledger_entries: { key: string; value: Uint8Array };
  /** The validator sets after a block (validator-sets.ts), every SETS_EVERY heights. */
  chain_validator_sets: { height: Int8; sets: string };
}

export const migrations: Migrations = {
  '0001_chain': {
    async up(db) {
      await db.schema
        .createTable('chain_blocks')
        .addColumn('height', 'bigint', (c) => c.primaryKey())
        .addColumn('hash', 'bytea', (c) => c.notNull())
        .addColumn('block', 'bytea', (c) => c.notNull())
        .addColumn('commit', 'bytea', (c) => c.notNull())
        .addColumn('outcomes', 'text', (c) => c.notNull())
        .addColumn('updates', 'text', (c) => c.notNull())
        .addColumn('app_hash', 'bytea', (c) => c.notNull())
        .addColumn('time_ms', 'bigint', (c) => c.notNull())
        .addColumn('tx_count', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('ledger_entries')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'bytea', (c) => c.notNull())
        .execute();
    },
  },
  // Restarts read the blocks that changed the validator set: without it, every block.
  '0002_blocks_with_updates': {
    async up(db) {
      await db.schema.createIndex('chain_blocks_with_updates').on('chain_blocks').column('height').where(sql.ref('updates'), '<>', '[]').execute();
    },
  },
  // Restarts advance the validator sets from the last stored, not from genesis.
  '0003_validator_sets': {
    async up(db) {
      await db.schema
        .createTable('chain_validator_sets')
        .addColumn('height', 'bigint', (c) => c.primaryKey())
        .addColumn('sets', 'text', (c) => c.notNull())
        .execute();
    },
  },
};

/** A stored validator-set change: hex public key and power. */
export interface StoredUpdate {
  readonly publicKey: string;
  readonly power: number;
}

export interface StoredOutcome {
  readonly txHash: string;
  readonly accepted: boolean;
  readonly reason: string;
}

export interface BlockRow {
  readonly height: number;
  readonly hash: Uint8Array;
  readonly block: Uint8Array;
  readonly commit: Uint8Array;
  readonly outcomes: readonly StoredOutcome[];
  readonly updates: readonly StoredUpdate[];
  readonly appHash: Uint8Array;
  readonly timeMs: number;
  readonly txCount: number;
}

export class BlockStore {
  private constructor(private readonly storage: Storage<ValidatorDb>) {}

  static async create(storage: Storage<ValidatorDb>): Promise<BlockStore> {
    await migrateToLatest(storage, migrations);
    return new BlockStore(storage);
  }

  async latestHeight(): Promise<number> {
    const row = await this.storage.db.selectFrom('chain_blocks').select(sql<string | number>`max(height)`.as('h')).executeTakeFirst();
    return row?.h === null || row?.h === undefined ? 0 : Number(row.h);
  }

  async block(height: number): Promise<BlockRow | undefined> {
    const row = await this.storage.db.selectFrom('chain_blocks').selectAll().where('height', '=', height).executeTakeFirst();
    if (!row) return undefined;
    return {
      height: Number(row.height),
      hash: new Uint8Array(row.hash),
      block: new Uint8Array(row.block),
      commit: new Uint8Array(row.commit),
      outcomes: JSON.parse(row.outcomes) as StoredOutcome[],
      updates: JSON.parse(row.updates) as StoredUpdate[],
      appHash: new Uint8Array(row.app_hash),
      timeMs: Number(row.time_ms),
      txCount: row.tx_count,
    };
  }

  /** The validator-set changes of the blocks from `height` on, by height (blocks without changes absent). */
  async updatesFrom(height: number): Promise<Map<number, StoredUpdate[]>> {
    const rows = await this.storage.db.selectFrom('chain_blocks').select(['height', 'updates']).where('updates', '<>', '[]').where('height', '>=', height).execute();
    return new Map(rows.map((r) => [Number(r.height), JSON.parse(r.updates) as StoredUpdate[]]));
  }

  /** The last validator sets stored at or below `height`, with the height they follow. */
  async setsAtOrBelow(height: number): Promise<{ height: number; sets: StoredSets } | undefined> {
    const row = await this.storage.db.selectFrom('chain_validator_sets').selectAll().where('height', '<=', height).orderBy('height', 'desc').limit(1).executeTakeFirst();
    return row ? { height: Number(row.height), sets: JSON.parse(row.sets) as StoredSets } : undefined;
  }

  /** Whether any state is stored (the genesis state is written before the first block). */
  async hasState(): Promise<boolean> {
    return (await this.storage.db.selectFrom('ledger_entries').select('key').limit(1).executeTakeFirst()) !== undefined;
  }

  /**
   * The stored state: the values of the records a validator keeps in memory,
   * and of each archived record (ARCHIVED_KEY_PATTERN) only the SHA-256 of its
   * bytes, the database hashing them.
   */
  async state(): Promise<{ values: { key: string; value: Uint8Array }[]; archived: { key: string; hash: Uint8Array }[] }> {
    const db = this.storage.db;
    const values = await db.selectFrom('ledger_entries').select(['key', 'value']).where(sql<boolean>`key !~ ${ARCHIVED_KEY_PATTERN}`).execute();
    const archived = await db
      .selectFrom('ledger_entries')
      .select(['key', sql<Uint8Array>`sha256(value)`.as('hash')])
      .where(sql<boolean>`key ~ ${ARCHIVED_KEY_PATTERN}`)
      .execute();
    return {
      values: values.map((r) => ({ key: r.key, value: new Uint8Array(r.value) })),
      archived: archived.map((r) => ({ key: r.key, hash: new Uint8Array(r.hash) })),
    };
  }

  /** One stored state value (an archived record, for a query). */
  async entry(key: string): Promise<Canonical | undefined> {
    const row = await this.storage.db.selectFrom('ledger_entries').select('value').where('key', '=', key).executeTakeFirst();
    return row ? decodeCanonical(new Uint8Array(row.value)) : undefined;
  }

  /**
   * Stores a committed block with the state writes it caused, and the
   * validator sets after it when given, atomically: in one statement (the
   * block's row and its writes as data-modifying parts of it, one round trip)
   * unless the writes are many (ONE_STATEMENT_WRITES) or sets come with it.
   */
  async commit(row: BlockRow, writes: ReadonlyMap<string, Canonical | null>, sets?: StoredSets): Promise<void> {
    const block = {
      height: row.height,
      hash: row.hash,
      block: row.block,
      commit: row.commit,
      outcomes: JSON.stringify(row.outcomes),
      updates: JSON.stringify(row.updates),
      app_hash: row.appHash,
      time_ms: row.timeMs,
      tx_count: row.txCount,
    };
    const { upserts, deletes } = splitWrites(writes);
    const db = this.storage.db;
    if (upserts.length + deletes.length > ONE_STATEMENT_WRITES || sets) {
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('chain_blocks').values(block).execute();
        await writeEntries(trx, upserts, deletes);
        if (sets) await trx.insertInto('chain_validator_sets').values({ height: row.height, sets: JSON.stringify(sets) }).execute();
      });
      return;
    }
    if (upserts.length === 0 && deletes.length === 0) {
      await db.insertInto('chain_blocks').values(block).execute();
      return;
    }
    const withBlock = db.with('stored_block', (q) => q.insertInto('chain_blocks').values(block));
    if (upserts.length === 0) await withBlock.deleteFrom('ledger_entries').where('key', 'in', deletes).execute();
    else if (deletes.length === 0) await upsert(withBlock, upserts).execute();
    else await upsert(withBlock.with('deleted_entries', (q) => q.deleteFrom('ledger_entries').where('key', 'in', deletes)), upserts).execute();
  }

  /** Writes the genesis state (no block). */
  async writeGenesis(writes: ReadonlyMap<string, Canonical | null>): Promise<void> {
    const { upserts, deletes } = splitWrites(writes);
    await this.storage.db.transaction().execute((trx) => writeEntries(trx, upserts, deletes));
  }
}

type Trx = Parameters<Parameters<ReturnType<Storage<ValidatorDb>['db']['transaction']>['execute']>[0]>[0];
type Entry = { key: string; value: Uint8Array };

/** Rows a statement writes at most. */
const WRITE_BATCH = 1000;
/**
 * Writes a block's one statement carries at most. The round trips it saves
 * count for small blocks (on PGlite, a block of one transaction is stored in
 * about 1 ms instead of 3); past this many writes they weigh little beside
 * the writes themselves, and PGlite was seen no faster with one long
 * statement than with a few short ones.
 */
const ONE_STATEMENT_WRITES = 64;

function splitWrites(writes: ReadonlyMap<string, Canonical | null>): { upserts: Entry[]; deletes: string[] } {
  const upserts: Entry[] = [];
  const deletes: string[] = [];
  for (const [key, value] of writes) {
    if (value === null) deletes.push(key);
    else upserts.push({ key, value: encodeCanonical(value) });
  }
  return { upserts, deletes };
}

/** Inserts or replaces entries (through `q`: the database, or a statement's leading parts). */
function upsert(q: Pick<Kysely<ValidatorDb>, 'insertInto'>, entries: Entry[]) {
  return q
    .insertInto('ledger_entries')
    .values(entries)
    .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })));
}

async function writeEntries(trx: Trx, upserts: Entry[], deletes: string[]): Promise<void> {
  for (let i = 0; i < upserts.length; i += WRITE_BATCH) await upsert(trx, upserts.slice(i, i + WRITE_BATCH)).execute();
  for (let i = 0; i < deletes.length; i += WRITE_BATCH) await trx.deleteFrom('ledger_entries').where('key', 'in', deletes.slice(i, i + WRITE_BATCH)).execute();
}

/** Hex of bytes, for stored JSON. */
export const hex = toHex;
