/**
 * NATS going away under the whole mesh (real processes, PostgreSQL): every
 * service reaches NATS through a gate (tcp-gate.ts) that the test shuts for
 * five seconds, dropping each connection and refusing new ones, as a restart
 * of the server or a partition would. Events published meanwhile wait in the
 * outboxes and the validators' queues; consumers reconnect and resume. No
 * service exits; the job's rounds all commit and the invariants hold.
 */
import type { SubmittedJob } from '../../../cli/src/devnet/job';
import { Mesh } from '../../support/mesh';
import { describeWith, serviceUrl } from '../../support/services';
import { TcpGate } from '../../support/tcp-gate';

jest.setTimeout(300_000);

const ROUNDS = 4;
const OUTAGE_MS = 5_000;

describeWith(['postgres', 'nats'], 'fault suite: events', () => {
  let gate: TcpGate;
  let mesh: Mesh | undefined;
  let job: SubmittedJob;

  beforeAll(async () => {
    const nats = new URL(serviceUrl('nats'));
    gate = await TcpGate.open(nats.hostname, Number(nats.port || 4222));
    mesh = await Mesh.start({ nats: `nats://127.0.0.1:${gate.port}`, flags: { trainers: '3', clients: '6', rounds: String(ROUNDS), epochs: '1', 'validation-samples': '200' } });
    job = await mesh.submitJob();
    await mesh.committed(job.jobId, 1);
  }, 400_000);

  afterAll(async () => {
    await mesh?.cleanup();
    await gate?.stop();
  }, 120_000);

  it('rides out NATS dropping every connection and taking none for a while: no process exits and the job completes', async () => {
    const m = mesh as Mesh;
    // Rounds are still to commit: the outage falls in the middle of the job.
    const before = await m.query<{ round: number }>(`jobs/${job.jobId}`);
    expect(before?.round ?? 0).toBeLessThan(ROUNDS);
    let dropped: number;
    try {
      dropped = gate.shut();
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    } finally {
      gate.reopen();
    }
    // Every service held a connection: the four validators, the registry, the aggregator and the three trainers.
    expect(dropped).toBeGreaterThanOrEqual(9);
    const last = await m.committed(job.jobId, ROUNDS);
    expect(last.round).toBe(ROUNDS);
    expect(m.exited()).toEqual([]);
    const report = await m.checkInvariants(job.jobId);
    expect(report.rounds).toBe(ROUNDS);
  });
});
