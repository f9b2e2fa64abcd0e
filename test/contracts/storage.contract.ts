/**
 * The storage contract: what every backend behind @learnchain/storage must do.
 * Run against PostgreSQL (test/integration) and PGlite (packages/storage).
 */
import { migrateToLatest, MigrationError, sql, toCount, type Generated, type Migrations, type Storage } from '@learnchain/storage';

interface ContractDb {
  items: { id: Generated<number>; name: string; payload: Uint8Array; weight: string; claimed_by: string | null };
}

const migrations: Migrations = {
  '0001_items': {
    async up(db) {
      await db.schema
        .createTable('items')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('payload', 'bytea', (c) => c.notNull())
        .addColumn('weight', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '0002_claims': {
    async up(db) {
      await db.schema.alterTable('items').addColumn('claimed_by', 'text').execute();
    },
  },
};

export function storageContract(name: string, open: (schema: string) => Promise<Storage<ContractDb>>, uniqueSchema: () => string): void {
  describe(`storage contract: ${name}`, () => {
    let a: Storage<ContractDb>;
    let b: Storage<ContractDb>;

    beforeAll(async () => {
      a = await open(uniqueSchema());
      b = await open(uniqueSchema());
      await migrateToLatest(a, migrations);
      await migrateToLatest(b, migrations);
    });

    afterAll(async () => {
      await a?.close();
      await b?.close();
    });

    it('applies each migration once', async () => {
      const again = await migrateToLatest(a, migrations);
      expect(again.applied).toEqual([]);
      const later = await migrateToLatest(a, { ...migrations, '0003_index': { up: (db) => db.schema.createIndex('items_weight').on('items').column('weight').execute() } });
      expect(later.applied).toEqual(['0003_index']);
    });

    it('stores and reads back bytes, text and bigints exactly', async () => {
      const payload = new Uint8Array([0, 1, 2, 254, 255]);
      await a.db.insertInto('items').values({ name: 'x', payload, weight: '9007199254740993' }).execute();
      const row = await a.db.selectFrom('items').selectAll().where('name', '=', 'x').executeTakeFirstOrThrow();
      expect(new Uint8Array(row.payload)).toEqual(payload);
      expect(String(row.weight)).toBe('9007199254740993');
    });

    it('normalises count(*) to a number', async () => {
      const { n } = await a.db.selectFrom('items').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      expect(toCount(n as string | number)).toBeGreaterThanOrEqual(1);
      expect(typeof toCount(n as string | number)).toBe('number');
    });

    it('keeps schemas apart', async () => {
      await a.db.insertInto('items').values({ name: 'only-in-a', payload: new Uint8Array(1), weight: '1' }).execute();
      const inB = await b.db.selectFrom('items').select('name').where('name', '=', 'only-in-a').execute();
      expect(inB).toEqual([]);
    });

    it('commits a transaction as a whole and rolls back as a whole', async () => {
      await a.db.transaction().execute(async (tx) => {
        await tx.insertInto('items').values({ name: 't1', payload: new Uint8Array(1), weight: '1' }).execute();
        await tx.insertInto('items').values({ name: 't2', payload: new Uint8Array(1), weight: '2' }).execute();
      });
      await expect(
        a.db.transaction().execute(async (tx) => {
          await tx.insertInto('items').values({ name: 't3', payload: new Uint8Array(1), weight: '3' }).execute();
          await tx.insertInto('items').values({ name: 't1', payload: new Uint8Array(1), weight: '4' }).execute(); // duplicate
        }),
      ).rejects.toThrow();
      const names = (await a.db.selectFrom('items').select('name').where('name', 'in', ['t1', 't2', 't3']).orderBy('name').execute()).map((r) => r.name);
      expect(names).toEqual(['t1', 't2']);
    });

    it('claims rows with FOR UPDATE SKIP LOCKED', async () => {
      await a.db.insertInto('items').values([1, 2, 3].map((i) => ({ name: `job-${i}`, payload: new Uint8Array(1), weight: String(i) }))).execute();
      const claimed = await a.db.transaction().execute(async (tx) => {
        const rows = await tx.selectFrom('items').select('id').where('name', 'like', 'job-%').where('claimed_by', 'is', null).orderBy('id').limit(2).forUpdate().skipLocked().execute();
        await tx.updateTable('items').set({ claimed_by: 'worker-a' }).where('id', 'in', rows.map((r) => r.id)).execute();
        return rows.length;
      });
      expect(claimed).toBe(2);
      const left = await a.db.selectFrom('items').select('name').where('name', 'like', 'job-%').where('claimed_by', 'is', null).execute();
      expect(left).toEqual([{ name: 'job-3' }]);
    });

    it('runs raw SQL in the service schema', async () => {
      const result = await sql<{ schema: string }>`select current_schema() as schema`.execute(a.db);
      expect(result.rows[0]?.schema).toBe(a.schema);
    });

    it('reports a failed migration and applies nothing of that run', async () => {
      const broken: Migrations = {
        ...migrations,
        '0009_ok': { up: (db) => db.schema.createTable('ok_table').addColumn('x', 'integer').execute() },
        '0010_broken': { up: (db) => sql`select * from no_such_table`.execute(db).then(() => undefined) },
      };
      const error = await migrateToLatest(b, broken).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as MigrationError).migration).toBe('0010_broken');
      // PostgreSQL has transactional DDL: the whole run rolls back, 0009 included.
      await expect(b.db.selectFrom('ok_table' as 'items').selectAll().execute()).rejects.toThrow(/ok_table/);
      const { '0010_broken': _broken, ...fixed } = broken;
      await expect(migrateToLatest(b, fixed)).resolves.toEqual({ applied: ['0009_ok'] });
    });
  });
}
