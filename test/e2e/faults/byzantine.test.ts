/**
 * A Byzantine trainer over the whole mesh (real processes, PostgreSQL, NATS):
 * one of four trainers flips the sign of its updates (LEARNCHAIN_ATTACK=sign-flip)
 * and the job's trimmed-mean still trains the model past 95% accuracy on the
 * 2,000 MNIST test digits, the devnet's default job otherwise. Ends with the
 * invariants.
 */
import { Mesh } from '../../support/mesh';
import { meshForSuite } from '../../support/suite-mesh';
import { describeWith } from '../../support/services';

jest.setTimeout(900_000);

describeWith(['postgres', 'nats'], 'fault suite: a sign-flipping trainer', () => {
  // The devnet's default job (MNIST mlp, 2 local epochs) for 12 rounds on near-IID shards (Dirichlet 100): with the
  // default Dirichlet 0.5 the model under this attack stalled near 91% over 20 rounds (the attacker's shard holds much
  // of some digits). A smaller validation set keeps the validators' checks light.
  const suite = meshForSuite({ flags: { trainers: '4', byzantine: '1', attack: 'sign-flip', rule: 'trimmed-mean', alpha: '100', rounds: '12', 'validation-samples': '200' } }, 0);

  it('trains past 95% test accuracy under trimmed-mean with one of four trainers sign-flipping', async () => {
    const m = suite.mesh;
    const job = suite.job;
    const attacker = Mesh.nodeIdOf(m.trainers[0] as NonNullable<(typeof m.trainers)[0]>);
    expect(m.trainers[0]?.lines.some((l) => l.includes('ATTACK MODE SIGN-FLIP'))).toBe(true);
    const rounds = m.options.rounds;
    const accuracies: number[] = [];
    for (let r = 1; r <= rounds; r++) {
      const record = await m.committed(job.jobId, r, 300_000);
      accuracies.push(await m.accuracy(job, record));
      if (r === 1) expect(record.included.map((u) => u.nodeId)).toContain(attacker);
    }
    const final = accuracies[accuracies.length - 1] ?? 0;
    if (final < 0.95) throw new Error(`final test accuracy ${final.toFixed(4)} is below 0.95; by round: ${accuracies.map((a) => a.toFixed(3)).join(' ')}`);
    expect(final).toBeGreaterThanOrEqual(0.95);
    const report = await m.checkInvariants(job.jobId);
    expect(report.rounds).toBe(rounds);
  });
});
