import { jobFinished, openOnResult, planRounds, type PlannedRound } from '../domain/round-plan';

const job = { initialModelHash: 'm0', rounds: 5 };
const NOW = 10_000;

function round(n: number, state: PlannedRound['state'], base: string, extra: Partial<PlannedRound> = {}): PlannedRound {
  return { round: n, attempt: 1, state, baseModelHash: base, retryAtMs: null, result: null, ...extra };
}
const withResult = (model: string) => ({ result: { newModelHash: model } });

describe('jobFinished', () => {
  it('is true once the last planned round committed, never for a job of unbounded rounds', () => {
    const last = round(5, 'committed', 'm4', withResult('m5'));
    expect(jobFinished(job, last)).toBe(true);
    expect(planRounds(job, last, round(4, 'committed', 'm3', withResult('m4')), NOW)).toEqual([]);
    expect(jobFinished(job, round(5, 'closed', 'm4', withResult('m5')))).toBe(false);
    expect(jobFinished(job, round(4, 'committed', 'm3', withResult('m4')))).toBe(false);
    expect(jobFinished(job, undefined)).toBe(false);
    expect(jobFinished({ ...job, rounds: 0 }, round(500, 'committed', 'm', withResult('n')))).toBe(false);
  });
});

describe('planRounds', () => {
  it('opens round 1 on the initial model', () => {
    expect(planRounds(job, undefined, undefined, NOW)).toEqual([{ kind: 'open', round: 1, attempt: 1, baseModelHash: 'm0' }]);
  });

  it('advances an open round and finishes a closed one whose predecessor is committed', () => {
    const one = round(1, 'committed', 'm0', withResult('m1'));
    const open = round(2, 'open', 'm1');
    const closed = round(2, 'closed', 'm1');
    expect(planRounds(job, open, one, NOW)).toEqual([{ kind: 'advance', record: open, submit: true }]);
    expect(planRounds(job, closed, one, NOW)).toEqual([{ kind: 'finish', record: closed }]);
  });

  it('runs a round ahead of its predecessor commit without submitting it, while the predecessor is finished', () => {
    const pending = round(1, 'closed', 'm0', withResult('m1'));
    const open = round(2, 'open', 'm1');
    const closed = round(2, 'closed', 'm1');
    const aggregated = round(2, 'closed', 'm1', withResult('m2'));
    expect(planRounds(job, open, pending, NOW)).toEqual([{ kind: 'advance', record: open, submit: false }, { kind: 'finish', record: pending }]);
    expect(planRounds(job, closed, pending, NOW)).toEqual([{ kind: 'aggregate', record: closed }, { kind: 'finish', record: pending }]);
    expect(planRounds(job, aggregated, pending, NOW)).toEqual([{ kind: 'finish', record: pending }]);
  });

  it('abandons the round ahead when its predecessor fails, and runs the predecessor again after its wait', () => {
    const ahead = round(2, 'closed', 'm1', withResult('m2'));
    const waiting = round(1, 'failed', 'm0', { retryAtMs: NOW + 1 });
    expect(planRounds(job, ahead, waiting, NOW)).toEqual([{ kind: 'abandon', record: ahead, previousRound: 1 }]);
    const abandoned = round(2, 'failed', 'm1', { retryAtMs: NOW });
    expect(planRounds(job, abandoned, waiting, NOW)).toEqual([]);
    const due = round(1, 'failed', 'm0', { retryAtMs: NOW });
    expect(planRounds(job, abandoned, due, NOW)).toEqual([{ kind: 'open', round: 1, attempt: 2, baseModelHash: 'm0' }]);
    const again = round(1, 'open', 'm0', { attempt: 2 });
    expect(planRounds(job, abandoned, again, NOW)).toEqual([{ kind: 'advance', record: again, submit: true }]);
  });

  it('opens an abandoned round again on the model the chain committed, never on the one it ran on', () => {
    const committed = round(1, 'committed', 'm0', withResult('m1b'));
    expect(planRounds(job, round(2, 'failed', 'm1', { retryAtMs: NOW }), committed, NOW)).toEqual([{ kind: 'open', round: 2, attempt: 2, baseModelHash: 'm1b' }]);
    // The chain committed another result of round 1 than the one round 2 runs on.
    const stale = round(2, 'open', 'm1');
    expect(planRounds(job, stale, committed, NOW)).toEqual([{ kind: 'abandon', record: stale, previousRound: 1 }]);
  });

  it('opens the next round after a commit unless the job ended, and retries a failed round after its wait', () => {
    const three = round(3, 'committed', 'm2', withResult('m3'));
    expect(planRounds(job, three, undefined, NOW)).toEqual([{ kind: 'open', round: 4, attempt: 1, baseModelHash: 'm3' }]);
    expect(planRounds({ ...job, rounds: 3 }, three, undefined, NOW)).toEqual([]);
    expect(planRounds({ ...job, rounds: 0 }, three, undefined, NOW)).toHaveLength(1);
    const failed = round(4, 'failed', 'm3', { attempt: 2, retryAtMs: NOW + 5 });
    expect(planRounds(job, failed, three, NOW)).toEqual([]);
    expect(planRounds(job, failed, three, NOW + 5)).toEqual([{ kind: 'open', round: 4, attempt: 3, baseModelHash: 'm3' }]);
  });
});

describe('openOnResult', () => {
  it('opens the next round on a result unless the job ends, it runs already, or it waits out a failure', () => {
    expect(openOnResult(job, 2, 'm2', undefined, NOW)).toEqual({ kind: 'open', round: 3, attempt: 1, baseModelHash: 'm2' });
    expect(openOnResult(job, 5, 'm5', undefined, NOW)).toBeUndefined();
    expect(openOnResult(job, 2, 'm2', round(3, 'open', 'm2'), NOW)).toBeUndefined();
    expect(openOnResult(job, 2, 'm2', round(3, 'failed', 'm2x', { retryAtMs: NOW + 1 }), NOW)).toBeUndefined();
    expect(openOnResult(job, 2, 'm2', round(3, 'failed', 'm2x', { attempt: 2, retryAtMs: NOW }), NOW)).toEqual({ kind: 'open', round: 3, attempt: 3, baseModelHash: 'm2' });
  });
});
