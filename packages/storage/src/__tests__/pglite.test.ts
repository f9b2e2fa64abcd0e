import { storageContract } from '../../../../test/contracts/storage.contract';
import { InvalidSchemaNameError, UnsupportedDatabaseUrlError } from '../errors';
import { sql } from 'kysely';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { isInMemory, openStorage } from '../storage';

jest.setTimeout(60_000);

let next = 0;
storageContract('PGlite', (schema) => openStorage({ url: 'pglite:memory', schema }), () => `contract_${next++}`);

describe('openStorage', () => {
  it('refuses URLs it cannot serve, hiding the password', async () => {
    await expect(openStorage({ url: 'mysql://u:hunter2@h/db', schema: 's' })).rejects.toThrow(UnsupportedDatabaseUrlError);
    await expect(openStorage({ url: 'mysql://u:hunter2@h/db', schema: 's' })).rejects.not.toThrow(/hunter2/);
  });

  it('refuses schema names that are not plain identifiers', async () => {
    await expect(openStorage({ url: 'pglite:memory', schema: 'a"; drop table x; --' })).rejects.toThrow(InvalidSchemaNameError);
  });

  it('says whether the database lives only in memory', () => {
    expect(['pglite:memory', 'pglite:', 'pglite://', 'pglite:/var/lib/learnchain', 'postgres://u@h/db'].map(isInMemory)).toEqual([true, true, true, false, false]);
  });

  it('gives every in-memory database its own data, though all start from one fresh copy', async () => {
    const [a, b] = await Promise.all([openStorage({ url: 'pglite:memory', schema: 'same' }), openStorage({ url: 'pglite:memory', schema: 'same' })]);
    try {
      await sql`CREATE TABLE only_in_a (x int)`.execute(a.db);
      await sql`INSERT INTO only_in_a VALUES (7)`.execute(a.db);
      const seen = await sql<{ n: string | number }>`SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'only_in_a'`.execute(b.db);
      expect(Number(seen.rows[0]?.n)).toBe(0);
      expect([a.inMemory, b.inMemory]).toEqual([true, true]);
      const c = await openStorage({ url: 'pglite:memory', schema: 'same' });
      const rows = await sql<{ n: string | number }>`SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'only_in_a'`.execute(c.db);
      expect(Number(rows.rows[0]?.n)).toBe(0);
      await c.close();
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('starts every embedded database, in memory or in a directory, with 16 MB of shared buffers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pglite-'));
    const opened = [await openStorage({ url: 'pglite:memory', schema: 's' }), await openStorage({ url: 'pglite:memory', schema: 's' }), await openStorage({ url: `pglite:${dir}`, schema: 's' })];
    try {
      for (const storage of opened) expect((await sql<{ shared_buffers: string }>`SHOW shared_buffers`.execute(storage.db)).rows[0]?.shared_buffers).toBe('16MB');
    } finally {
      for (const storage of opened) await storage.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
