/**
 * The database going away under the whole mesh (real processes, PostgreSQL,
 * NATS): every connection of every service is closed by the server, idle or
 * in the middle of a query, three times over, as a restart or failover of
 * PostgreSQL would. No service exits; the job's rounds all commit and the
 * invariants hold.
 */
import { Pool } from 'pg';

import type { SubmittedJob } from '../../../cli/src/devnet/job';
import { Mesh } from '../../support/mesh';
import { describeWith, serviceUrl } from '../../support/services';

jest.setTimeout(300_000);

const ROUNDS = 4;

describeWith(['postgres', 'nats'], 'fault suite: database', () => {
  let mesh: Mesh | undefined;
  let job: SubmittedJob;

  beforeAll(async () => {
    mesh = await Mesh.start({ flags: { trainers: '3', clients: '6', rounds: String(ROUNDS), epochs: '1', 'validation-samples': '200' } });
    job = await mesh.submitJob();
    await mesh.committed(job.jobId, 1);
  }, 400_000);

  afterAll(async () => {
    await mesh?.cleanup();
  }, 120_000);

  it('rides out every service losing its database connections: no process exits and the job completes', async () => {
    const m = mesh as Mesh;
    const admin = new Pool({ connectionString: serviceUrl('postgres'), max: 1 });
    const closed: number[] = [];
    try {
      for (let i = 0; i < 3; i += 1) {
        // Each service names its schema in application_name (learnchain:<schema>); this mesh's schemas share a prefix.
        const result = await admin.query("select pg_terminate_backend(pid) from pg_stat_activity where application_name like $1 and pid <> pg_backend_pid()", [`learnchain:${m.schema('')}%`]);
        closed.push(result.rowCount ?? 0);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    } finally {
      await admin.end();
    }
    // Every service held connections: the validators, the registry and the aggregator.
    expect(closed[0]).toBeGreaterThanOrEqual(6);
    const last = await m.committed(job.jobId, ROUNDS);
    expect(last.round).toBe(ROUNDS);
    expect(m.exited()).toEqual([]);
    const report = await m.checkInvariants(job.jobId);
    expect(report.rounds).toBe(ROUNDS);
  });
});
