import { decideRound, quorumOf, type OpenRoundView, type RoundDecision, type RoundPolicy } from '../domain/round-policy';
import { selectParticipants } from '../domain/participants';

const policy: RoundPolicy = { minTrainers: 2, quorum: 3, graceMs: 100, extensionMs: 1000 };
const four = ['a', 'b', 'c', 'd'];

function view(received: [string, number][], overrides: Partial<OpenRoundView> = {}): OpenRoundView {
  return { participants: four, received: received.map(([nodeId, atMs]) => ({ nodeId, atMs })), deadlineMs: 5000, extended: false, ...overrides };
}

interface Row {
  readonly name: string;
  readonly view: OpenRoundView;
  readonly now: number;
  readonly policy?: RoundPolicy;
  readonly expect: RoundDecision;
}

const late = 'late: no update by the deadline';
const onQuorum = 'late: the round closed on quorum before its update arrived';

const table: Row[] = [
  { name: 'nothing in yet: wait for the deadline', view: view([]), now: 10, expect: { kind: 'wait', untilMs: 5000 } },
  { name: 'below quorum: wait for the deadline', view: view([['a', 5], ['b', 6]]), now: 10, expect: { kind: 'wait', untilMs: 5000 } },
  { name: 'all in: close at once', view: view([['a', 1], ['b', 2], ['c', 3], ['d', 4]]), now: 4, expect: { kind: 'close', closedBy: 'all-in', included: ['a', 'b', 'c', 'd'], stragglers: [] } },
  { name: 'quorum reached: wait out the grace', view: view([['a', 1], ['b', 2], ['c', 30]]), now: 50, expect: { kind: 'wait', untilMs: 130 } },
  {
    name: 'quorum plus grace: close, the straggler dropped',
    view: view([['c', 30], ['a', 1], ['b', 2]]),
    now: 130,
    expect: { kind: 'close', closedBy: 'quorum', included: ['a', 'b', 'c'], stragglers: [{ nodeId: 'd', reason: onQuorum }] },
  },
  {
    name: 'grace runs past the deadline: close on the deadline',
    view: view([['a', 1], ['b', 2], ['c', 4950]]),
    now: 5000,
    expect: { kind: 'close', closedBy: 'deadline', included: ['a', 'b', 'c'], stragglers: [{ nodeId: 'd', reason: late }] },
  },
  {
    name: 'deadline with the minimum in: close',
    view: view([['b', 9], ['a', 7]]),
    now: 5000,
    expect: { kind: 'close', closedBy: 'deadline', included: ['a', 'b'], stragglers: [{ nodeId: 'c', reason: late }, { nodeId: 'd', reason: late }] },
  },
  {
    name: 'deadline below the minimum: extend once',
    view: view([['a', 7]]),
    now: 5001,
    expect: { kind: 'extend', deadlineMs: 6001, reason: '1 of the 2 updates the job needs arrived by the deadline' },
  },
  { name: 'extended, still waiting', view: view([['a', 7]], { extended: true, deadlineMs: 6001 }), now: 5500, expect: { kind: 'wait', untilMs: 6001 } },
  {
    name: 'extended deadline below the minimum: fail',
    view: view([['a', 7]], { extended: true, deadlineMs: 6001 }),
    now: 6001,
    expect: { kind: 'fail', reason: '1 of the 2 updates the job needs arrived by the deadline, even after one extension' },
  },
  {
    name: 'fewer participants than the minimum: fail at once',
    view: view([], { participants: ['a'] }),
    now: 0,
    expect: { kind: 'fail', reason: 'only 1 trainers were active, the job needs 2' },
  },
  {
    name: 'updates from non-participants and repeats do not count',
    view: view([['x', 1], ['a', 2], ['a', 3], ['y', 4]]),
    now: 5000,
    expect: { kind: 'extend', deadlineMs: 6000, reason: '1 of the 2 updates the job needs arrived by the deadline' },
  },
  {
    name: 'quorum never below the minimum',
    policy: { ...policy, minTrainers: 3, quorum: 1 },
    view: view([['a', 1], ['b', 2]]),
    now: 4000,
    expect: { kind: 'wait', untilMs: 5000 },
  },
];

describe('decideRound', () => {
  it.each(table)('$name', ({ view: v, now, policy: p, expect: expected }) => {
    expect(decideRound(v, p ?? policy, now)).toEqual(expected);
  });

  it('decides the same whatever order the arrivals are listed in', () => {
    const arrivals: [string, number][] = [['a', 1], ['b', 2], ['c', 30]];
    const forward = decideRound(view(arrivals), policy, 200);
    const backward = decideRound(view([...arrivals].reverse()), policy, 200);
    expect(backward).toEqual(forward);
  });
});

describe('quorumOf', () => {
  it.each([
    [10, 2, 0.8, 8],
    [10, 9, 0.5, 9],
    [3, 1, 0.5, 2],
    [0, 1, 1, 1],
  ])('%i participants, minimum %i, fraction %f: %i', (n, min, fraction, expected) => {
    expect(quorumOf(n, min, fraction)).toBe(expected);
  });
});

describe('selectParticipants', () => {
  const active = Array.from({ length: 10 }, (_, i) => ({ nodeId: `n${i}`, publicKey: new Uint8Array([i]) }));

  it('takes every active trainer without a limit, sorted', () => {
    expect(selectParticipants([...active].reverse(), 0, 's').map((p) => p.nodeId)).toEqual(active.map((p) => p.nodeId));
  });

  it('samples by seed: the same seed gives the same sample, another seed may differ', () => {
    const one = selectParticipants(active, 4, 'seed-1').map((p) => p.nodeId);
    expect(one).toHaveLength(4);
    expect(selectParticipants([...active].reverse(), 4, 'seed-1').map((p) => p.nodeId)).toEqual(one);
    const samples = new Set(['seed-2', 'seed-3', 'seed-4', 'seed-5'].map((s) => selectParticipants(active, 4, s).map((p) => p.nodeId).join()));
    expect(samples.size).toBeGreaterThan(1);
  });
});
