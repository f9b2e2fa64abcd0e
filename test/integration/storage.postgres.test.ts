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
      expect(warnings).toHaveLength(pids.length);
      expect(warnings[0]).toMatchObject({ schema });
      const again = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(storage.db);
      expect(pids).not.toContain(again.rows[0]?.pid);
    } finally {
      await admin.query(`drop schema if exists "${schema}" cascade`);
      await admin.end();
      await storage.close();
    }
  });
});
