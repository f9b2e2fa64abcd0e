/**
 * Round passes: an accepted update makes the manager look at once at its own
 * job's round only; the other jobs wait for the periodic pass (a minute
 * here, so that none comes during the test); a deadline and a retry are
 * kept by timers of their own.
 */
import { SUBJECT } from '@learnchain/bus';

import { createJob, chunks, delta, round, startMesh, submit, Trainer, until, type Mesh } from './support/mesh';

jest.setTimeout(60_000);

let mesh: Mesh;
let trainers: Trainer[];

beforeAll(async () => {
  mesh = await startMesh({ LEARNCHAIN_ROUND_TICK_MS: '60000' });
  trainers = [await Trainer.join(mesh.registry.address, mesh.chainId), await Trainer.join(mesh.registry.address, mesh.chainId)];
});

afterAll(async () => {
  await mesh?.stop();
});

it("looks at once at the round of the job an update came for, and not at the other jobs'", async () => {
  const initial = Float32Array.from([1, 2]);
  const job = { rule: { name: 'fedavg' }, minTrainers: 2, roundDeadlineMs: 600_000 };
  const bases = [await createJob(mesh, { jobId: 'passes-a', ...job }, initial), await createJob(mesh, { jobId: 'passes-b', ...job }, initial)];
  for (const jobId of ['passes-a', 'passes-b']) await until(`${jobId} open`, async () => ((await round(mesh.client, jobId))?.state === 'ROUND_STATE_OPEN' ? true : undefined));

  const looked: string[] = [];
  const latest = mesh.aggregator.rounds.latest.bind(mesh.aggregator.rounds);
  const spy = jest.spyOn(mesh.aggregator.rounds, 'latest').mockImplementation((jobId, count) => {
    looked.push(jobId);
    return latest(jobId, count);
  });
  try {
    // Both trainers' updates for job a: the round closes on them, long before any periodic pass.
    for (const [i, trainer] of trainers.entries()) {
      const bytes = delta([i, 1]);
      await submit(mesh.client, chunks(trainer.header({ chainId: mesh.chainId, jobId: 'passes-a', round: 1, baseModelHash: bases[0] as string, bytes, numSamples: 10 }), bytes));
    }
    await until('job a closed', async () => ((await round(mesh.client, 'passes-a', 1))?.state !== 'ROUND_STATE_OPEN' ? true : undefined));
    expect(looked).toContain('passes-a');
    expect(looked).not.toContain('passes-b');
  } finally {
    spy.mockRestore();
  }
});

it('submits the results of rounds that close together one after another, each on the nonce after the last committed', async () => {
  const initial = Float32Array.from([1, 2]);
  const job = { rule: { name: 'fedavg' }, minTrainers: 2, roundDeadlineMs: 600_000 };
  const jobs = ['passes-c', 'passes-d'];
  const bases: string[] = [];
  for (const jobId of jobs) bases.push(await createJob(mesh, { jobId, ...job }, initial));
  for (const jobId of jobs) await until(`${jobId} open`, async () => ((await round(mesh.client, jobId))?.state === 'ROUND_STATE_OPEN' ? true : undefined));
  const release = mesh.validator.hold();
  try {
    for (const [j, jobId] of jobs.entries()) {
      for (const [i, trainer] of trainers.entries()) {
        const bytes = delta([i, j]);
        await submit(mesh.client, chunks(trainer.header({ chainId: mesh.chainId, jobId, round: 1, baseModelHash: bases[j] as string, bytes, numSamples: 10 }), bytes));
      }
    }
    // Both aggregated while the chain holds the first submission.
    for (const jobId of jobs) await until(`${jobId} aggregated`, async () => ((await round(mesh.client, jobId, 1))?.result ? true : undefined));
    await until('a submission', () => (mesh.validator.received.some((tx) => tx.kind === 'roundResult' && jobs.includes(tx.body.jobId)) ? true : undefined));
  } finally {
    release();
  }
  for (const jobId of jobs) await until(`${jobId} committed`, async () => ((await round(mesh.client, jobId, 1))?.state === 'ROUND_STATE_COMMITTED' ? true : undefined));
  const nonces = mesh.validator.received.filter((tx) => tx.kind === 'roundResult' && jobs.includes(tx.body.jobId)).map((tx) => tx.nonce);
  expect(nonces).toHaveLength(2);
  expect(nonces[1]).toBe((nonces[0] as number) + 1);
});

it('extends a round at its deadline, fails it at the end of the extension and opens it again at its retry time, with no periodic pass', async () => {
  const jobId = 'passes-e';
  const base = await createJob(mesh, { jobId, rule: { name: 'fedavg' }, minTrainers: 2, roundDeadlineMs: 1_000 }, Float32Array.from([1, 2]));
  await until('round 1 open', async () => ((await round(mesh.client, jobId))?.state === 'ROUND_STATE_OPEN' ? true : undefined));
  // One update of the two the job needs.
  const bytes = delta([1, 1]);
  await submit(mesh.client, chunks((trainers[0] as Trainer).header({ chainId: mesh.chainId, jobId, round: 1, baseModelHash: base, bytes, numSamples: 10 }), bytes));
  const opened = await until('round 1 opened again', () => {
    const events = mesh.events.filter((e) => e.subject === SUBJECT.roundOpened && e.payload.jobId === jobId);
    return events.length >= 2 ? events.map((e) => (e.subject === SUBJECT.roundOpened ? e.payload.attempt : undefined)) : undefined;
  });
  expect(opened.slice(0, 2)).toEqual([1, 2]);
  const failed = mesh.events.filter((e) => e.subject === SUBJECT.roundFailed && e.payload.jobId === jobId).map((e) => (e.subject === SUBJECT.roundFailed ? e.payload.reason : ''));
  expect(failed).toEqual(['1 of the 2 updates the job needs arrived by the deadline, even after one extension']);
});

it('looks at a round no update came for at its deadline, with no periodic pass', async () => {
  const jobId = 'passes-f';
  await createJob(mesh, { jobId, rule: { name: 'fedavg' }, minTrainers: 2, roundDeadlineMs: 500 }, Float32Array.from([1, 2]));
  const failed = await until('round 1 failed', () => mesh.events.find((e) => e.subject === SUBJECT.roundFailed && e.payload.jobId === jobId));
  expect(failed.subject === SUBJECT.roundFailed && failed.payload.reason).toBe('0 of the 2 updates the job needs arrived by the deadline, even after one extension');
});
