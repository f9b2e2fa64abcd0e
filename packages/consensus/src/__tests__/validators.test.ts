import { InvalidValidatorSetError } from '../errors';
import { checkCommit } from '../certificate';
import { createState, validatorsAt } from '../state';
import { advanceProposer, applyValidatorUpdates, makeValidatorSet, proposerAt } from '../validators';
import { FOUR, proposal, run, start, verdict, votes } from './fixtures';
import type { Vote } from '../types';

/** Proposers of heights 1..n, round 0, carrying priorities from height to height. */
function proposers(set: ReturnType<typeof makeValidatorSet>, heights: number): string[] {
  const out: string[] = [];
  let s = set;
  for (let h = 0; h < heights; h++) {
    out.push(proposerAt(s, 0));
    s = advanceProposer(s);
  }
  return out;
}

describe('weighted round-robin proposer selection', () => {
  it('rotates through equal validators in address order', () => {
    expect(proposers(FOUR, 8).join('')).toBe('abcdabcd');
    expect([0, 1, 2, 3, 4].map((r) => proposerAt(FOUR, r)).join('')).toBe('abcda');
  });

  it('gives proposals in proportion to power', () => {
    const set = makeValidatorSet([
      { address: 'a', power: 3 },
      { address: 'b', power: 1 },
      { address: 'c', power: 2 },
    ]);
    const counts = new Map<string, number>();
    for (const p of proposers(set, 60)) counts.set(p, (counts.get(p) ?? 0) + 1);
    expect([counts.get('a'), counts.get('b'), counts.get('c')]).toEqual([30, 10, 20]);
  });

  it('is deterministic whatever order members are given in', () => {
    const members = [
      { address: 'x', power: 5 },
      { address: 'm', power: 2 },
      { address: 'b', power: 7 },
    ];
    expect(proposers(makeValidatorSet(members), 20)).toEqual(proposers(makeValidatorSet([...members].reverse()), 20));
  });
});

describe('validator sets', () => {
  it('rejects empty sets, bad powers and duplicates', () => {
    expect(() => makeValidatorSet([])).toThrow(InvalidValidatorSetError);
    expect(() => makeValidatorSet([{ address: 'a', power: 0 }])).toThrow(InvalidValidatorSetError);
    expect(() => makeValidatorSet([{ address: 'a', power: 1.5 }])).toThrow(InvalidValidatorSetError);
    expect(() =>
      makeValidatorSet([
        { address: 'a', power: 1 },
        { address: 'a', power: 2 },
      ]),
    ).toThrow(InvalidValidatorSetError);
  });

  it('applies updates: change, add (behind in priority), remove', () => {
    const next = applyValidatorUpdates(FOUR, [
      { address: 'a', power: 5 },
      { address: 'e', power: 1 },
      { address: 'd', power: 0 },
    ]);
    expect(next.validators.map((v) => `${v.address}${v.power}`).join(' ')).toBe('a5 b1 c1 e1');
    expect(next.totalPower).toBe(8);
    const e = next.validators.find((v) => v.address === 'e');
    expect(e && e.priority < 0).toBe(true);
  });

  it('updates committed in block h take effect at height h+2', () => {
    // Block 1 carries an update; the host hands it over with start-height 2.
    let s = createState({ address: 'b', height: 1, validators: FOUR });
    const decide = (h: number) => [
      { kind: 'proposal' as const, proposal: { height: h, round: 0, value: `v${h}`, validRound: -1, proposer: proposerAt(s.validators, 0) } },
      { kind: 'verdict' as const, height: h, value: `v${h}`, valid: true },
      ...['a', 'c', 'd'].map((validator) => ({
        kind: 'vote' as const,
        vote: { type: 'precommit' as const, height: h, round: 0, value: `v${h}`, validator },
      })),
    ];
    s = run(s, [start(1), ...decide(1)]).state;
    s = run(s, [{ kind: 'start-height', height: 2, validatorUpdates: [{ address: 'e', power: 1 }] }]).state;
    expect(s.validators.powers.has('e')).toBe(false);
    expect(validatorsAt(s, 3).powers.has('e')).toBe(true);
    s = run(s, [...decide(2), start(3)]).state;
    expect(s.height).toBe(3);
    expect(s.validators.powers.get('e')).toBe(1);
  });
});

describe('commit certificates', () => {
  const cert = run(createState({ address: 'b', height: 1, validators: FOUR }), [
    start(1),
    proposal(0, 'v'),
    verdict('v', true),
    ...votes('precommit', 0, 'v', 'acd'),
  ]).effects.flatMap((e) => (e.kind === 'commit' ? [e.certificate] : []))[0]!;
  const pc = (validator: string, value = 'v'): Vote => ({ type: 'precommit', height: 1, round: 0, value, validator });

  it('verifies the core certificate with the validator set', () => {
    expect(cert.precommits).toHaveLength(3);
    expect(checkCommit(cert, FOUR)).toBeNull();
  });

  it('finds each kind of fault', () => {
    expect(checkCommit({ ...cert, precommits: [pc('a'), pc('b')] }, FOUR)).toBe('insufficient-power');
    expect(checkCommit({ ...cert, precommits: [pc('a'), pc('a'), pc('b')] }, FOUR)).toBe('duplicate-validator');
    expect(checkCommit({ ...cert, precommits: [pc('a'), pc('b'), pc('c', 'w')] }, FOUR)).toBe('wrong-vote');
    expect(checkCommit({ ...cert, precommits: [pc('a'), pc('b'), pc('z')] }, FOUR)).toBe('not-a-validator');
    expect(checkCommit(cert, FOUR, (v) => v.validator !== 'c')).toBe('signature');
  });

  it('weighs power, not heads', () => {
    const weighted = makeValidatorSet([
      { address: 'a', power: 7 },
      { address: 'b', power: 1 },
      { address: 'c', power: 1 },
      { address: 'd', power: 1 },
    ]);
    expect(checkCommit({ ...cert, precommits: [pc('a')] }, weighted)).toBeNull();
    expect(checkCommit({ ...cert, precommits: [pc('b'), pc('c'), pc('d')] }, weighted)).toBe('insufficient-power');
  });
});
