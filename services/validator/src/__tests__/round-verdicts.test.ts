import { Identity, toHex } from '@learnchain/core';
import { decodeTxBytes, encodeTx, genesisWrites, KEYS, LedgerState, parseGenesis, signTx, type RoundCheck, type RoundVerdict, type StateView } from '@learnchain/ledger';

import { Mempool } from '../mempool';
import { RoundVerdicts } from '../round-verdicts';

const CHAIN = 'round-verdicts-test';
const validator = Identity.generate();
const aggregator = Identity.generate();
const genesis = parseGenesis({ chainId: CHAIN, validators: [{ publicKey: toHex(validator.publicKey), power: 1 }], aggregatorKeys: [toHex(aggregator.publicKey)] });
const ledger = new LedgerState();
ledger.apply(genesisWrites(genesis));
const JOBS: Record<string, { jobId: string; round: number }> = { [KEYS.job('job-1')]: { jobId: 'job-1', round: 0 }, [KEYS.job('job-3')]: { jobId: 'job-3', round: 3 } };
const state: StateView = { get: (key) => JOBS[key] ?? ledger.get(key) };

const hash = (b: number): Buffer => Buffer.alloc(32, b);
const roundResult = (round: number, jobId = 'job-1') =>
  decodeTxBytes(encodeTx(signTx(aggregator, CHAIN, round, { roundResult: { jobId, round, baseModelHash: hash(1), newModelHash: hash(2), membershipEpoch: 1, rule: { name: 'fedavg' }, included: [], excluded: [] } })), { chainId: CHAIN });

/** A verifier that counts its calls and answers from `verdicts` by round (a list: one answer per call, the last one repeated). */
function verifier(verdicts: Record<number, RoundVerdict | RoundVerdict[]>) {
  const calls: number[] = [];
  const answer = (round: number): RoundVerdict => {
    const given = verdicts[round] ?? { valid: true, reason: '' };
    if (!Array.isArray(given)) return given;
    const asked = calls.filter((r) => r === round).length;
    return given[Math.min(asked, given.length) - 1] as RoundVerdict;
  };
  return { calls, verify: async (check: RoundCheck) => (calls.push(check.result.round), answer(check.result.round)) };
}

const unreachable: RoundVerdict = { valid: false, reason: 'blobs: blob 0a0b: 14 UNAVAILABLE: connection refused', retry: true };

describe('round verdicts', () => {
  it('re-executes a round result once per height however many proposals carry it, and again after a commit', async () => {
    const v = verifier({});
    const rounds = new RoundVerdicts({ chainId: CHAIN, verifier: v, mempool: new Mempool(genesis, () => ledger, 10), state: () => state });
    const tx = roundResult(1);
    expect(await Promise.all([rounds.check([tx]), rounds.check([tx])])).toEqual([{ valid: true, reason: '' }, { valid: true, reason: '' }]);
    expect(await rounds.check([tx])).toEqual({ valid: true, reason: '' });
    expect(v.calls).toEqual([1]);
    rounds.clear();
    await rounds.check([tx]);
    expect(v.calls).toEqual([1, 1]);
  });

  it('starts verifying a round result as it enters the mempool, and keeps the verdict across commits while it waits there', async () => {
    const v = verifier({});
    const mempool = new Mempool(genesis, () => ledger, 10);
    const rounds = new RoundVerdicts({ chainId: CHAIN, verifier: v, mempool, state: () => state });
    const [tx, unknownJob] = [roundResult(1), roundResult(2, 'no-such-job')];
    mempool.add(tx.wire);
    mempool.add(unknownJob.wire);
    expect(v.calls).toEqual([1]);
    rounds.clear(); // a commit that did not include it
    expect(await rounds.check([tx, unknownJob])).toEqual({ valid: true, reason: '' });
    expect(v.calls).toEqual([1]);
  });

  it('does not re-execute a round its job has committed already (execution refuses it, changing nothing)', async () => {
    const v = verifier({});
    const mempool = new Mempool(genesis, () => ledger, 10);
    const rounds = new RoundVerdicts({ chainId: CHAIN, verifier: v, mempool, state: () => state });
    for (const round of [2, 3, 4, 5]) mempool.add(roundResult(round, 'job-3').wire);
    expect(v.calls).toEqual([4, 5]);
    expect(await rounds.check([roundResult(3, 'job-3'), roundResult(4, 'job-3')])).toEqual({ valid: true, reason: '' });
    expect(v.calls).toEqual([4, 5]);
  });

  it('names the first invalid round, drops it from the mempool and skips rounds of unknown jobs', async () => {
    const v = verifier({ 2: { valid: false, reason: 'aggregate-mismatch: the rule applied to the signed updates does not give new_model_hash' } });
    const mempool = new Mempool(genesis, () => ledger, 10);
    const rounds = new RoundVerdicts({ chainId: CHAIN, verifier: v, mempool, state: () => state });
    const [one, two] = [roundResult(1), roundResult(2)];
    expect(await rounds.check([roundResult(3, 'no-such-job'), one, two])).toEqual({ valid: false, reason: expect.stringMatching(/^round job-1\/2: aggregate-mismatch/) });
    expect(v.calls).toEqual([1, 2]);
    expect(() => mempool.add(two.wire)).toThrow(/unverifiable and votes against it: round job-1\/2: aggregate-mismatch/);
  });

  it('checks a round that could not be fetched again when the next proposal carries it, keeping it in the mempool', async () => {
    const v = verifier({ 1: [unreachable, unreachable, { valid: true, reason: '' }] });
    const mempool = new Mempool(genesis, () => ledger, 10);
    const rounds = new RoundVerdicts({ chainId: CHAIN, verifier: v, mempool, state: () => state });
    const tx = roundResult(1);
    mempool.add(tx.wire);
    // Two proposals waiting on one verification count as one check.
    expect(await Promise.all([rounds.check([tx]), rounds.check([tx])])).toEqual([
      { valid: false, reason: expect.stringMatching(/^round job-1\/1: blobs: .*UNAVAILABLE/), retry: true },
      { valid: false, reason: expect.stringMatching(/^round job-1\/1: blobs: .*UNAVAILABLE/), retry: true },
    ]);
    expect(await rounds.check([tx])).toMatchObject({ valid: false, retry: true });
    expect(mempool.size).toBe(1);
    expect(await rounds.check([tx])).toEqual({ valid: true, reason: '' });
    expect(v.calls).toEqual([1, 1, 1]);
  });

  it('refuses a round still unverifiable after its last check, like an invalid one', async () => {
    const v = verifier({ 1: unreachable });
    const mempool = new Mempool(genesis, () => ledger, 10);
    const rounds = new RoundVerdicts({ chainId: CHAIN, verifier: v, mempool, state: () => state, maxChecks: 2 });
    const tx = roundResult(1);
    mempool.add(tx.wire);
    expect(await rounds.check([tx])).toMatchObject({ valid: false, retry: true });
    expect(mempool.size).toBe(1);
    expect(await rounds.check([tx])).toEqual({ valid: false, reason: expect.stringMatching(/^round job-1\/1: blobs:/) });
    expect(mempool.size).toBe(0);
    expect(() => mempool.add(tx.wire)).toThrow(/unverifiable and votes against it: round job-1\/1: blobs:/);
    expect(v.calls).toEqual([1, 1]);
  });
});
