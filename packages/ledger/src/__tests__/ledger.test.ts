import { Identity, signStatement, toHex, type Canonical } from '@learnchain/core';

import { applyTx, canonicalJson, decodeTx, decodeTxBytes, encodeTx, executeBlock, LedgerState, proposalStatement, signTx, signVote, TxFormatError } from '../index';
import { CHAIN, hash32, ledgerFixture } from './support/ledger';

const { validators, client, tx, freshState, ctx, job, register, leave, included, result } = ledgerFixture();

describe('transactions', () => {
  it('decodes a signed transaction and refuses a tampered one, a foreign chain and an unknown type', () => {
    const wire = signTx(client, CHAIN, 1, { createJob: { jobId: 'a', initialParametersHash: hash32(2), rule: { name: 'fedavg' }, minTrainers: 1 } });
    expect(tx(wire).kind).toBe('createJob');
    const tampered = { ...wire, createJob: { ...wire.createJob, jobId: 'b' } };
    expect(() => tx(tampered as never)).toThrow(TxFormatError);
    expect(() => decodeTxBytes(encodeTx(wire), { chainId: 'other' })).toThrow(/wrong|chain/);
    expect(() => decodeTxBytes(encodeTx({ ...wire, createJob: null }), { chainId: CHAIN })).toThrow(/no known transaction type/);
    expect(() => decodeTxBytes(encodeTx({ ...wire, signature: null }), { chainId: CHAIN })).toThrow(/signature/);
    expect(() => decodeTxBytes(new Uint8Array([0xff, 0xff, 0xff]), { chainId: CHAIN })).toThrow(/protobuf/);
    expect(() => decodeTx({ chainId: CHAIN, nonce: 1, signature: null } as never, { chainId: CHAIN })).toThrow(TxFormatError);
  });

  it('refuses a replayed or gapped nonce without writing, and consumes the nonce of a refused transaction', () => {
    const state = freshState();
    const gap = applyTx(state, job(2), ctx(1));
    expect(gap.outcome.reason).toMatch(/^nonce-gap/);
    expect(gap.writes.size).toBe(0);
    const first = applyTx(state, job(1), ctx(1));
    expect(first.outcome.accepted).toBe(true);
    state.apply(first.writes);
    const replay = applyTx(state, job(1, 'job-2'), ctx(2));
    expect(replay.outcome).toEqual({ accepted: false, reason: expect.stringMatching(/^replay/) });
    expect(replay.writes.size).toBe(0);
    const duplicate = applyTx(state, job(2), ctx(2));
    expect(duplicate.outcome.reason).toBe('job-exists');
    expect([...duplicate.writes.keys()]).toEqual([`nonces/${toHex(client.publicKey)}`]);
  });

  it('accepts RegisterNode from the registry key only', () => {
    const state = freshState();
    const node = Identity.generate();
    expect(applyTx(state, register(1, node, 1, client), ctx(1)).outcome.accepted).toBe(false);
    const ok = applyTx(state, register(1, node, 1), ctx(1));
    expect(ok.outcome.accepted).toBe(true);
    state.apply(ok.writes);
    expect(JSON.parse(canonicalJson(state.query(`members/${node.address}`)))).toMatchObject({ status: 'active', joinedEpoch: 1 });
  });

  it('keeps the joined epoch of a member registered again while active, and not of one that left', () => {
    const state = freshState();
    const node = Identity.generate();
    const joinedAt = (): unknown => JSON.parse(canonicalJson(state.query(`members/${node.address}`))).joinedEpoch;
    for (const t of [register(1, node, 1), register(2, node, 4)]) state.apply(applyTx(state, t, ctx(1)).writes);
    expect(joinedAt()).toBe(1);
    for (const t of [leave(3, node, 5), register(4, node, 6)]) state.apply(applyTx(state, t, ctx(2)).writes);
    expect(joinedAt()).toBe(6);
  });

  it('gives the same application hash for the same state whatever the write order', () => {
    const a = freshState();
    const b = freshState();
    const writes: [string, Canonical][] = [['x/1', 1], ['y/2', 'two'], ['z/3', { k: new Uint8Array([3]) }]];
    a.apply(new Map(writes));
    b.apply(new Map([...writes].reverse()));
    expect(toHex(a.appHash())).toBe(toHex(b.appHash()));
    b.apply(new Map([['y/2', 'changed']]));
    expect(toHex(a.appHash())).not.toBe(toHex(b.appHash()));
  });
});

describe('round results', () => {
  function setup() {
    const state = freshState();
    const trainers = [Identity.generate(), Identity.generate()];
    const block = executeBlock(state, [job(1), register(1, trainers[0] as Identity, 1), register(2, trainers[1] as Identity, 2)], ctx(1));
    expect(block.outcomes.every((o) => o.accepted)).toBe(true);
    state.apply(block.writes);
    return { state, trainers };
  }

  it('advances the lineage, credits included trainers and records the excluded', () => {
    const { state, trainers } = setup();
    const [t0, t1] = trainers as [Identity, Identity];
    const r = applyTx(state, result(1, 1, hash32(1), [included(t0, 1, hash32(1))], undefined, 2, [{ nodeId: t1.address, reason: 'late' }]), ctx(2));
    expect(r.outcome).toEqual({ accepted: true, reason: '' });
    state.apply(r.writes);
    expect(JSON.parse(canonicalJson(state.query('jobs/job-1')))).toMatchObject({ round: 1, head: toHex(hash32(101)) });
    expect(JSON.parse(canonicalJson(state.query(`reputation/${t0.address}`)))).toMatchObject({ credits: 1 });
    expect(JSON.parse(canonicalJson(state.query(`reputation/${t1.address}`)))).toMatchObject({ exclusions: 1, lastExclusion: 'late' });
  });

  it('refuses an exclusion of a node the ledger does not know, of an included one, twice of one, without a reason or with a bad hash; takes one of a member that left since', () => {
    const { state, trainers } = setup();
    const [t0, t1] = trainers as [Identity, Identity];
    const refused = (excluded: { nodeId: string; reason: string; updateHash?: Buffer }[]): string => {
      const r = applyTx(state, result(1, 1, hash32(1), [included(t0, 1, hash32(1))], undefined, 2, excluded), ctx(2));
      // Nothing is recorded against anyone: only the nonce is taken.
      expect([...r.writes.keys()].filter((k) => !k.startsWith('nonces/'))).toEqual([]);
      return r.outcome.reason;
    };
    expect(refused([{ nodeId: 'x', reason: 'late' }])).toBe('excluded[0]: x is not a member');
    expect(refused([{ nodeId: t0.address, reason: 'late' }])).toBe(`excluded[0]: ${t0.address} is also included`);
    expect(refused([{ nodeId: t1.address, reason: 'late' }, { nodeId: t1.address, reason: 'late' }])).toBe('excluded[1]: duplicate node');
    expect(refused([{ nodeId: t1.address, reason: '' }])).toBe('excluded[0]: no reason given');
    expect(refused([{ nodeId: t1.address, reason: 'rejected: far', updateHash: Buffer.alloc(5) }])).toBe('excluded[0]: the update hash is neither empty nor 32 bytes');
    state.apply(applyTx(state, leave(3, t1, 3), ctx(2)).writes);
    const late = applyTx(state, result(1, 1, hash32(1), [included(t0, 1, hash32(1))], undefined, 2, [{ nodeId: t1.address, reason: 'rejected: far', updateHash: hash32(7) }]), ctx(3));
    expect(late.outcome).toEqual({ accepted: true, reason: '' });
  });

  it('records the job update encoding and refuses included updates of another encoding, and unknown encodings', () => {
    const state = freshState();
    const trainer = Identity.generate();
    const int8Job = tx(signTx(client, CHAIN, 1, { createJob: { jobId: 'job-1', model: 'mlp', initialParametersHash: hash32(1), rule: { name: 'fedavg' }, minTrainers: 1, updateEncoding: 'DTYPE_INT8' } }));
    const block = executeBlock(state, [int8Job, register(1, trainer, 1), register(2, Identity.generate(), 2)], ctx(1));
    expect(block.outcomes.every((o) => o.accepted)).toBe(true);
    state.apply(block.writes);
    expect(JSON.parse(canonicalJson(state.query('jobs/job-1')))).toMatchObject({ spec: { updateEncoding: 'DTYPE_INT8' } });
    expect(applyTx(state, result(1, 1, hash32(1), [included(trainer, 1, hash32(1))]), ctx(2)).outcome.reason).toMatch(/a float32 update, the job takes int8/);
    const bad = tx(signTx(client, CHAIN, 2, { createJob: { jobId: 'job-2', model: 'mlp', initialParametersHash: hash32(1), rule: { name: 'fedavg' }, minTrainers: 1, updateEncoding: 9 as unknown as 'DTYPE_INT8' } }));
    expect(applyTx(state, bad, ctx(2)).outcome.reason).toMatch(/^update-encoding/);
  });

  it('refuses a wrong round, a wrong base, a forged update signature and a non-aggregator', () => {
    const { state, trainers } = setup();
    const [t0, t1] = trainers as [Identity, Identity];
    expect(applyTx(state, result(1, 2, hash32(1), [included(t0, 2, hash32(1))]), ctx(2)).outcome.reason).toMatch(/wrong-round/);
    expect(applyTx(state, result(1, 1, hash32(9), [included(t0, 1, hash32(9))]), ctx(2)).outcome.reason).toMatch(/wrong-base-model/);
    expect(applyTx(state, result(1, 1, hash32(1), [included(t0, 1, hash32(1), t1)]), ctx(2)).outcome.reason).toMatch(/bad update signature/);
    expect(applyTx(state, result(2, 1, hash32(1), [included(t0, 1, hash32(1))], client), ctx(2)).outcome.reason).toMatch(/not-authorised/);
  });
});

describe('evidence', () => {
  it('removes a validator that signed two different votes, once', () => {
    const state = freshState();
    const offender = validators[0] as Identity;
    const a = signVote(offender, CHAIN, { type: 'prevote', height: 3, round: 0, value: toHex(hash32(1)), validator: offender.address });
    const b = signVote(offender, CHAIN, { type: 'prevote', height: 3, round: 0, value: null, validator: offender.address });
    const ev = (nonce: number, x = a, y = b) => tx(signTx(client, CHAIN, nonce, { evidence: { voteA: x, voteB: y } }));
    const same = applyTx(state, ev(1, a, a), ctx(4));
    expect(same.outcome.reason).toMatch(/not-conflicting/);
    state.apply(same.writes);
    const r = applyTx(state, ev(2), ctx(4));
    expect(r.outcome.accepted).toBe(true);
    expect(r.validatorUpdates).toEqual([expect.objectContaining({ address: offender.address, power: 0 })]);
    state.apply(r.writes);
    expect((state.query('validators') as unknown[]).length).toBe(3);
    expect(applyTx(state, ev(3), ctx(5)).outcome.reason).toBe('evidence-duplicate');
  });

  it('removes a validator that signed two different proposals for one height and round, once', () => {
    const state = freshState();
    const offender = validators[1] as Identity;
    const proposal = (block: Uint8Array, round = 0, validRound = -1, signer = offender) => ({
      height: 3,
      round,
      validRound,
      blockHash: Buffer.from(block),
      proposer: offender.address,
      signature: { publicKey: Buffer.from(signer.publicKey), signature: Buffer.from(signStatement(signer, 'proposal', proposalStatement(CHAIN, 3, round, block, validRound))) },
    });
    const a = proposal(hash32(1));
    const b = proposal(hash32(2));
    const ev = (nonce: number, x: ReturnType<typeof proposal>, y: ReturnType<typeof proposal>) => tx(signTx(client, CHAIN, nonce, { evidence: { proposalA: x, proposalB: y } }));
    expect(applyTx(state, ev(1, a, a), ctx(4)).outcome.reason).toMatch(/not-conflicting: same proposal/);
    expect(applyTx(state, ev(1, a, proposal(hash32(2), 1)), ctx(4)).outcome.reason).toMatch(/not-conflicting: proposals differ/);
    expect(applyTx(state, ev(1, a, { ...b, blockHash: Buffer.from(hash32(3)) }), ctx(4)).outcome.reason).toBe('evidence-bad-signature');
    expect(applyTx(state, ev(1, a, proposal(hash32(2), 0, -1, validators[2] as Identity)), ctx(4)).outcome.reason).toBe('evidence-bad-signature');
    expect(applyTx(state, ev(1, a, b), ctx(2)).outcome.reason).toBe('evidence-from-the-future');
    const r = applyTx(state, ev(1, a, b), ctx(4));
    expect(r.outcome.accepted).toBe(true);
    expect(r.validatorUpdates).toEqual([expect.objectContaining({ address: offender.address, power: 0 })]);
    state.apply(r.writes);
    expect((state.query('validators') as { address: string }[]).map((v) => v.address)).not.toContain(offender.address);
    expect(state.get(`evidence/${offender.address}/3/0/proposal`)).toBeDefined();
    expect(applyTx(state, ev(2, a, b), ctx(5)).outcome.reason).toBe('evidence-duplicate');
  });

  it('refuses evidence that mixes votes and proposals or carries only one', () => {
    const state = freshState();
    const offender = validators[0] as Identity;
    const vote = signVote(offender, CHAIN, { type: 'prevote', height: 3, round: 0, value: null, validator: offender.address });
    expect(applyTx(state, tx(signTx(client, CHAIN, 1, { evidence: { voteA: vote } })), ctx(4)).outcome.reason).toBe('evidence-needs-two-votes-or-two-proposals');
    const p = { height: 3, round: 0, validRound: -1, blockHash: Buffer.from(hash32(1)), proposer: offender.address, signature: { publicKey: Buffer.from(offender.publicKey), signature: Buffer.alloc(64) } };
    expect(applyTx(state, tx(signTx(client, CHAIN, 1, { evidence: { voteA: vote, voteB: vote, proposalA: p, proposalB: p } })), ctx(4)).outcome.reason).toBe('evidence-needs-two-votes-or-two-proposals');
  });
});

describe('state queries', () => {
  it('lists the jobs and the members: the records one level under each, sorted, not what lies below them', () => {
    const state = new LedgerState();
    state.apply(
      new Map<string, Canonical | null>([
        ['jobs/b', { id: 'b' }],
        ['jobs/a', { id: 'a' }],
        ['jobs/a/rounds/1', { round: 1 }],
        ['members/m1', { id: 'm1' }],
        ['membership', { epoch: 1 }],
        ['jobsx/c', { id: 'c' }],
      ]),
    );
    expect(state.query('jobs')).toEqual([{ id: 'a' }, { id: 'b' }]);
    expect(state.query('/members/')).toEqual([{ id: 'm1' }]);
    state.apply(new Map([['jobs/a', null]]));
    expect(state.query('jobs')).toEqual([{ id: 'b' }]);
    expect(state.held('jobs/a/rounds/1')).toEqual({ round: 1 });
    expect(() => state.query('rounds')).toThrow('rounds');
  });

  it('pages a list by id: from after an id, at most a limit, naming where the next page starts', () => {
    const state = new LedgerState();
    const ids = ['e', 'a', 'd', 'b', 'c'];
    state.apply(new Map<string, Canonical | null>(ids.map((id) => [`jobs/${id}`, { id }])));
    expect(state.isList('/jobs/')).toBe(true);
    expect(state.isList('jobs/a')).toBe(false);
    expect(state.page('jobs', '', 2)).toEqual({ records: [{ id: 'a' }, { id: 'b' }], nextAfter: 'b' });
    expect(state.page('jobs', 'b', 2)).toEqual({ records: [{ id: 'c' }, { id: 'd' }], nextAfter: 'd' });
    expect(state.page('jobs', 'd', 2)).toEqual({ records: [{ id: 'e' }], nextAfter: '' });
    // An id no longer listed still places the page.
    expect(state.page('jobs', 'bb', 10)).toEqual({ records: [{ id: 'c' }, { id: 'd' }, { id: 'e' }], nextAfter: '' });
    state.apply(new Map([['jobs/c', null]]));
    expect(state.page('jobs', 'b', 1)).toEqual({ records: [{ id: 'd' }], nextAfter: 'd' });
    expect(state.page('members', '', 5)).toEqual({ records: [], nextAfter: '' });
    expect(() => state.page('validators', '', 5)).toThrow('validators');
  });
});
