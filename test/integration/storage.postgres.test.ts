import { openStorage, sql } from '@learnchain/storage';
import { Pool } from 'pg';

import { storageContract } from '../contracts/storage.contract';
import { describeWith, serviceUrl, uniqueName } from '../support/services';

describeWith(['postgres'], 'PostgreSQL storage', () => {
  storageContract('PostgreSQL', (schema) => openStorage({ url: serviceUrl('postgres'), schema }), () => uniqueName('contract').toLowerCase());

  it('outlives idle connections the server closes (a restart, a failover): reports them and opens new ones', async () => {
    const warnings: object[] = [];
    const schema = uniqueName('lost').toLowerCase();
    const storage = await openStorage({ url: serviceUrl('postgres'), schema, logger: { warn: (details) => warnings.push(details) } });
    const admin = new Pool({ connectionString: serviceUrl('postgres'), max: 1 });
    try {
      // Two pooled connections, both idle afterwards; each reports its backend.
      const pids = await Promise.all([0, 1].map(async () => (await sql<{ pid: number }>`select pg_backend_pid() as pid, pg_sleep(0.05)`.execute(storage.db)).rows[0]?.pid));
      const terminated = await admin.query('select pg_terminate_backend(pid) as done from unnest($1::int[]) as pid', [pids]);
      expect(terminated.rows.every((r: { done: boolean }) => r.done)).toBe(true);
      for (let i = 0; i < 200 && warnings.length < pids.length; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(warnings.length).toBeGreaterThanOrEqual(pids.length);
      expect(warnings[0]).toMatchObject({ schema });
      const again = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(storage.db);
      expect(pids).not.toContain(again.rows[0]?.pid);
    } finally {
      await admin.query(`drop schema if exists "${schema}" cascade`);
      await admin.end();
      await storage.close();
    }
  });

  it('outlives a connection the server closes while a transaction holds it: that transaction fails, later work goes on', async () => {
    const warnings: object[] = [];
    const schema = uniqueName('lost').toLowerCase();
    const storage = await openStorage({ url: serviceUrl('postgres'), schema, logger: { warn: (details) => warnings.push(details) } });
    const admin = new Pool({ connectionString: serviceUrl('postgres'), max: 1 });
    try {
      let held = 0;
      const transaction = storage.db.transaction().execute(async (trx) => {
        held = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)).rows[0]?.pid ?? 0;
        // Between two queries, as a transaction that waits on something else (a publish, an upload) is.
        for (let i = 0; i < 500 && warnings.length === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
        await sql`select 1`.execute(trx);
      });
      for (let i = 0; i < 500 && held === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
      await admin.query('select pg_terminate_backend($1)', [held]);
      await expect(transaction).rejects.toThrow();
      expect(warnings.length).toBeGreaterThanOrEqual(1);
      const again = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(storage.db);
      expect(again.rows[0]?.pid).not.toBe(held);
    } finally {
      await admin.query(`drop schema if exists "${schema}" cascade`);
      await admin.end();
      await storage.close();
    }
  });
});
