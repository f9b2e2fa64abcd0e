/**
 * Validator faults while a job trains over the whole mesh (real processes,
 * PostgreSQL, NATS): one validator killed with -9 is not missed and, restarted,
 * catches up; one paused (SIGSTOP) for longer than the consensus timeouts does
 * not fork the chain and, resumed, catches up. Each ends with the invariants.
 */
import { meshForSuite } from '../../support/suite-mesh';
import { describeWith } from '../../support/services';

jest.setTimeout(300_000);

describeWith(['postgres', 'nats'], 'fault suite: validators', () => {
  const suite = meshForSuite({ flags: { trainers: '3', clients: '8', rounds: '40', epochs: '1', 'validation-samples': '200' } });

  it('keeps committing blocks and rounds without a validator killed with -9; restarted, it catches up', async () => {
    const m = suite.mesh;
    const { jobId } = suite.job;
    await m.kill(m.validators[1]);
    const from = await m.height(0);
    const round = ((await m.query<{ round: number }>(`jobs/${jobId}`)) ?? { round: 0 }).round;
    // Three of four validators still hold more than 2/3 of the power: blocks and rounds go on.
    await m.reaches(0, from + 3);
    await m.committed(jobId, round + 1);
    const restarted = await m.startValidator(1);
    await m.reaches(1, await m.height(0));
    expect(restarted.logs('synced blocks').length).toBeGreaterThan(0);
    const report = await m.checkInvariants(jobId);
    expect(report.rounds).toBeGreaterThan(round);
    expect(report.acknowledged).toBeGreaterThan(0);
  });

  it('does not fork while a validator is paused past the consensus timeouts; resumed, it catches up', async () => {
    const m = suite.mesh;
    const { jobId } = suite.job;
    m.pause(m.validators[2]);
    const from = await m.height(0);
    const round = ((await m.query<{ round: number }>(`jobs/${jobId}`)) ?? { round: 0 }).round;
    // Paused past the propose timeout (3 s) and several rounds of prevote/precommit timeouts, while a round commits.
    const pausedAt = Date.now();
    await m.reaches(0, from + 3);
    await m.committed(jobId, round + 1);
    const left = 10_000 - (Date.now() - pausedAt);
    if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
    const behind = await m.height(0);
    m.resume(m.validators[2]);
    await m.reaches(2, behind);
    const report = await m.checkInvariants(jobId);
    expect(report.rounds).toBeGreaterThan(round);
  });
});
