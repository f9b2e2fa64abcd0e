/**
 * PostgreSQL going away under the whole mesh (real processes, NATS), in a
 * database of the mesh's own: every connection of every service is closed by
 * the server, idle or in the middle of a query, and for three seconds the
 * database takes no new ones, as a restart or failover would. No service
 * exits; the job's rounds all commit and the invariants hold.
 */
import { Pool } from 'pg';

import type { SubmittedJob } from '../../../cli/src/devnet/job';
import { Mesh } from '../../support/mesh';
import { describeWith, serviceUrl, uniqueName } from '../../support/services';

jest.setTimeout(300_000);

const ROUNDS = 4;
const OUTAGE_MS = 3_000;

describeWith(['postgres', 'nats'], 'fault suite: database', () => {
  const name = uniqueName('faultdb').toLowerCase();
  let admin: Pool;
  let mesh: Mesh | undefined;
  let job: SubmittedJob;

  beforeAll(async () => {
    admin = new Pool({ connectionString: serviceUrl('postgres'), max: 1 });
    await admin.query(`CREATE DATABASE "${name}"`);
    const database = new URL(serviceUrl('postgres'));
    database.pathname = `/${name}`;
    mesh = await Mesh.start({ database: database.toString(), flags: { trainers: '3', clients: '6', rounds: String(ROUNDS), epochs: '1', 'validation-samples': '200' } });
    job = await mesh.submitJob();
    await mesh.committed(job.jobId, 1);
  }, 400_000);

  afterAll(async () => {
    await mesh?.cleanup();
    await admin?.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin?.end();
  }, 120_000);

  it('rides out PostgreSQL closing every connection and taking none for a while: no process exits and the job completes', async () => {
    const m = mesh as Mesh;
    let closed: number;
    await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
    try {
      closed = (await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [name])).rowCount ?? 0;
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    } finally {
      await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
    }
    // Every service held connections: the four validators, the registry and the aggregator.
    expect(closed).toBeGreaterThanOrEqual(6);
    const last = await m.committed(job.jobId, ROUNDS);
    expect(last.round).toBe(ROUNDS);
    expect(m.exited()).toEqual([]);
    const report = await m.checkInvariants(job.jobId);
    expect(report.rounds).toBe(ROUNDS);
  });
});
