import { apply } from '../core';
import { verifyCommit } from '../certificate';
import { createState } from '../state';
import type { Effect, Input } from '../io';
import { FOUR, castVotes, proposal, run, start, started, timeouts, verdict, vote, votes } from './fixtures';

const timeout = (kind: 'propose' | 'prevote' | 'precommit', round: number): Input => ({
  kind: 'timeout-elapsed',
  timeout: { kind, height: 1, round },
});

describe('StartRound (L10-L21)', () => {
  it('L18: the proposer asks the application for a value', () => {
    const t = apply(createState({ address: 'a', height: 1, validators: FOUR }), start(1));
    expect(t.effects).toEqual([{ kind: 'request-proposal', height: 1, round: 0 }]);
    expect(t.state.step).toBe('propose');
  });

  it('L21: a non-proposer schedules the propose timeout', () => {
    const t = apply(createState({ address: 'b', height: 1, validators: FOUR }), start(1));
    expect(timeouts(t.effects)).toEqual(['propose:1:0']);
  });

  it('L19: the value from the application is proposed with validRound -1', () => {
    const t = apply(started('a'), { kind: 'proposal-value', height: 1, round: 0, value: 'v' });
    expect(t.effects).toContainEqual({
      kind: 'broadcast',
      message: { kind: 'proposal', proposal: { height: 1, round: 0, value: 'v', validRound: -1, proposer: 'a' } },
    });
    // The proposer receives its own proposal and, like everyone, waits for the verdict (L22).
    expect(t.effects).toContainEqual({ kind: 'validate-proposal', height: 1, round: 0, value: 'v' });
    expect(castVotes(t.effects)).toEqual([]);
    expect(castVotes(apply(t.state, verdict('v', true)).effects)).toEqual(['prevote:0:v']);
  });

  it('L16: a proposer with a valid value re-proposes it with its valid round', () => {
    // b locks and records v as valid in round 0, then becomes proposer of round 1.
    const s = run(started('b'), [proposal(0, 'v'), verdict('v', true), ...votes('prevote', 0, 'v', 'acd')]).state;
    expect(s.validValue).toBe('v');
    const t = run(s, [...votes('precommit', 0, null, 'acd'), timeout('precommit', 0)]);
    expect(t.effects).toContainEqual({
      kind: 'broadcast',
      message: { kind: 'proposal', proposal: { height: 1, round: 1, value: 'v', validRound: 0, proposer: 'b' } },
    });
  });
});

describe('prevote on a proposal (L22-L33)', () => {
  it('L22: waits for the application verdict before prevoting', () => {
    const t = apply(started('b'), proposal(0, 'v'));
    expect(t.effects).toEqual([{ kind: 'validate-proposal', height: 1, round: 0, value: 'v' }]);
    expect(t.state.step).toBe('propose');
  });

  it('L24: prevotes a valid value when not locked', () => {
    const t = run(started('b'), [proposal(0, 'v'), verdict('v', true)]);
    expect(castVotes(t.effects)).toEqual(['prevote:0:v']);
    expect(t.state.step).toBe('prevote');
  });

  it('L26: prevotes nil for a value the application rejects', () => {
    const t = run(started('b'), [proposal(0, 'v'), verdict('v', false)]);
    expect(castVotes(t.effects)).toEqual(['prevote:0:nil']);
  });

  it('ignores a proposal from a validator that is not the round proposer', () => {
    const t = run(started('c'), [proposal(0, 'v', -1, 'b'), verdict('v', true)]);
    expect(castVotes(t.effects)).toEqual([]);
  });

  const lockedOnW = () =>
    run(started('c'), [
      proposal(0, 'w'),
      verdict('w', true),
      ...votes('prevote', 0, 'w', 'ab'),
      ...votes('precommit', 0, null, 'abd'),
      timeout('precommit', 0),
    ]).state;

  it('L26: a node locked on another value prevotes nil on a fresh proposal', () => {
    const s = lockedOnW();
    expect([s.lockedValue, s.lockedRound, s.round]).toEqual(['w', 0, 1]);
    const t = run(s, [proposal(1, 'v'), verdict('v', true)]);
    expect(castVotes(t.effects)).toEqual(['prevote:1:nil']);
  });

  it('the planted fault ignoreLockOnPrevote prevotes the new value despite the lock', () => {
    const t = run(lockedOnW(), [proposal(1, 'v'), verdict('v', true)], { ignoreLockOnPrevote: true });
    expect(castVotes(t.effects)).toEqual(['prevote:1:v']);
  });

  it('L24: a node locked on the proposed value prevotes it again', () => {
    const t = run(lockedOnW(), [proposal(1, 'w'), verdict('w', true)]);
    expect(castVotes(t.effects)).toEqual(['prevote:1:w']);
  });

  it('L28-L30: a proof of lock from a round at or after the lock frees the node', () => {
    const s = lockedOnW();
    const t = run(s, [proposal(1, 'v', 0), verdict('v', true)]);
    expect(castVotes(t.effects)).toEqual([]); // no 2f+1 prevotes for v in round 0 yet
    const u = run(t.state, votes('prevote', 0, 'v', 'abd'));
    // a and b equivocate (they prevoted w too): their prevotes still count for v, as the paper counts messages.
    expect(castVotes(u.effects)).toEqual(['prevote:1:v']);
    expect(u.effects.filter((e) => e.kind === 'evidence')).toHaveLength(2);
  });

  it('L28-L30: prevotes v on 2f+1 PREVOTE(vr, v) with lockedRound <= vr', () => {
    // d saw nothing in round 0 and is not locked; it sees a re-proposal with proof.
    const s = run(started('d'), [...votes('precommit', 0, null, 'abc'), timeout('propose', 0), timeout('precommit', 0)])
      .state;
    expect(s.round).toBe(1);
    const t = run(s, [proposal(1, 'v', 0), verdict('v', true), ...votes('prevote', 0, 'v', 'abc')]);
    expect(castVotes(t.effects)).toEqual(['prevote:1:v']);
  });

  it('L32: prevotes nil on a proof of lock for a value the application rejects', () => {
    const s = run(started('d'), [...votes('precommit', 0, null, 'abc'), timeout('propose', 0), timeout('precommit', 0)])
      .state;
    const t = run(s, [proposal(1, 'v', 0), verdict('v', false), ...votes('prevote', 0, 'v', 'abc')]);
    expect(castVotes(t.effects)).toEqual(['prevote:1:nil']);
  });

  it('L28: a proposal whose validRound is not below its round is ignored', () => {
    const t = run(started('b'), [proposal(0, 'v', 0), verdict('v', true)]);
    expect(t.effects).toEqual([]);
  });
});

describe('prevote quorum (L34-L46)', () => {
  it('L34: 2f+1 prevotes of any values schedule the prevote timeout once', () => {
    const t = run(started('b'), [
      proposal(0, 'v'),
      verdict('v', false),
      vote('prevote', 0, 'x', 'a'),
      vote('prevote', 0, 'y', 'c'),
      vote('prevote', 0, null, 'd'),
    ]);
    expect(timeouts(t.effects)).toEqual(['prevote:1:0']);
  });

  it('L36-L43: proposal and 2f+1 prevotes for it: lock, precommit, record valid value', () => {
    const t = run(started('b'), [proposal(0, 'v'), verdict('v', true), ...votes('prevote', 0, 'v', 'ac')]);
    expect(castVotes(t.effects)).toEqual(['prevote:0:v', 'precommit:0:v']);
    const s = t.state;
    expect([s.lockedValue, s.lockedRound, s.validValue, s.validRound, s.step]).toEqual(['v', 0, 'v', 0, 'precommit']);
  });

  it('L36: never locks on a value the application rejects', () => {
    const t = run(started('b'), [proposal(0, 'v'), verdict('v', false), ...votes('prevote', 0, 'v', 'acd')]);
    expect(castVotes(t.effects)).toEqual(['prevote:0:nil']);
    expect(t.state.lockedValue).toBeNull();
  });

  it('L42: in the precommit step the valid value is updated without a new lock', () => {
    const u = run(started('b'), [
      vote('prevote', 0, 'v', 'a'),
      timeout('propose', 0),
      vote('prevote', 0, 'v', 'c'),
      timeout('prevote', 0),
    ]);
    expect(u.state.step).toBe('precommit');
    const w = run(u.state, [proposal(0, 'v'), verdict('v', true), vote('prevote', 0, 'v', 'd')]);
    expect([w.state.validValue, w.state.validRound, w.state.lockedValue]).toEqual(['v', 0, null]);
    expect(castVotes(w.effects)).toEqual([]);
  });

  it('L44: 2f+1 prevotes for nil: precommit nil', () => {
    const t = run(started('b'), [timeout('propose', 0), ...votes('prevote', 0, null, 'ac')]);
    expect(castVotes(t.effects)).toEqual(['prevote:0:nil', 'precommit:0:nil']);
  });
});

describe('precommits and decision (L47-L54)', () => {
  it('L47: 2f+1 precommits of any values schedule the precommit timeout once', () => {
    const t = run(started('b'), [
      vote('precommit', 0, 'x', 'a'),
      vote('precommit', 0, null, 'c'),
      vote('precommit', 0, 'y', 'd'),
      vote('precommit', 0, 'y', 'd'),
    ]);
    expect(timeouts(t.effects)).toEqual(['precommit:1:0']);
  });

  it('L49: proposal and 2f+1 precommits decide, with a certificate that verifies', () => {
    const t = run(started('b'), [proposal(0, 'v'), verdict('v', true), ...votes('precommit', 0, 'v', 'acd')]);
    const commit = t.effects.find((e): e is Extract<Effect, { kind: 'commit' }> => e.kind === 'commit');
    expect(commit?.certificate.value).toBe('v');
    expect(commit && verifyCommit(commit.certificate, FOUR)).toBe(true);
    expect(t.state.step).toBe('decided');
    expect(t.state.decision).toBe('v');
  });

  it('L49: decides on a round other than the current one', () => {
    const t = run(started('b'), [proposal(2, 'v', -1, 'c'), verdict('v', true), ...votes('precommit', 2, 'v', 'acd')]);
    expect(t.effects.some((e) => e.kind === 'commit')).toBe(true);
  });

  it('L49: waits for the verdict before deciding', () => {
    const t = run(started('b'), [proposal(0, 'v'), ...votes('precommit', 0, 'v', 'acd')]);
    expect(t.effects.some((e) => e.kind === 'commit')).toBe(false);
    expect(run(t.state, [verdict('v', true)]).effects.some((e) => e.kind === 'commit')).toBe(true);
  });

  it('L54: start-height of the next height resets the height variables', () => {
    const t = run(started('b'), [proposal(0, 'v'), verdict('v', true), ...votes('precommit', 0, 'v', 'acd'), start(2)]);
    const s = t.state;
    expect([s.height, s.round, s.step, s.lockedValue, s.validValue, s.decision]).toEqual([2, 0, 'propose', null, null, null]);
  });

  it('buffers next-height messages and replays them when the height starts', () => {
    const early = vote('prevote', 0, 'z', 'a', 2);
    const t = run(started('b'), [
      early,
      proposal(0, 'v'),
      verdict('v', true),
      ...votes('precommit', 0, 'v', 'acd'),
      start(2),
    ]);
    expect(t.state.votes.get(0)?.prevote.byValidator.get('a')).toEqual((early as { vote: unknown }).vote);
  });
});

describe('round skip and timeouts (L55-L67)', () => {
  it('L55: f+1 power of messages from a higher round starts that round', () => {
    const t = run(started('b'), [vote('prevote', 3, null, 'a'), vote('precommit', 3, null, 'c')]);
    expect(t.state.round).toBe(3);
    expect(timeouts(t.effects)).toContain('propose:1:3');
  });

  it('L55: f power is not enough', () => {
    const t = run(started('b'), [vote('prevote', 3, null, 'a'), vote('precommit', 3, null, 'a')]);
    expect(t.state.round).toBe(0);
  });

  it('L57: the propose timeout in step propose prevotes nil', () => {
    expect(castVotes(run(started('b'), [timeout('propose', 0)]).effects)).toEqual(['prevote:0:nil']);
  });

  it('L57: a stale propose timeout does nothing', () => {
    const s = run(started('b'), [proposal(0, 'v'), verdict('v', true)]).state;
    expect(run(s, [timeout('propose', 0)]).effects).toEqual([]);
  });

  it('L61: the prevote timeout in step prevote precommits nil', () => {
    const t = run(started('b'), [timeout('propose', 0), timeout('prevote', 0)]);
    expect(castVotes(t.effects)).toEqual(['prevote:0:nil', 'precommit:0:nil']);
  });

  it('L65: the precommit timeout starts the next round', () => {
    const t = run(started('b'), [timeout('precommit', 0)]);
    expect(t.state.round).toBe(1);
    // b is round 1's proposer.
    expect(t.effects).toContainEqual({ kind: 'request-proposal', height: 1, round: 1 });
  });
});

describe('the vote keeper inside the core', () => {
  it('counts a duplicate vote once', () => {
    const t = run(started('b'), [...votes('prevote', 0, null, 'aa'), vote('prevote', 0, null, 'c')]);
    expect(t.state.votes.get(0)?.prevote.total).toBe(2);
  });

  it('reports conflicting votes as evidence; each counts for its own value, the total counts the validator once', () => {
    const t = run(started('b'), [vote('prevote', 0, 'x', 'a'), vote('prevote', 0, 'y', 'a')]);
    expect(t.effects).toContainEqual({
      kind: 'evidence',
      evidence: {
        kind: 'duplicate-vote',
        first: { type: 'prevote', height: 1, round: 0, value: 'x', validator: 'a' },
        second: { type: 'prevote', height: 1, round: 0, value: 'y', validator: 'a' },
      },
    });
    const tally = t.state.votes.get(0)?.prevote;
    expect([tally?.power.get('x'), tally?.power.get('y'), tally?.total]).toEqual([1, 1, 1]);
    // A third vote from the same validator for a value it already sent is not evidence again.
    expect(run(t.state, [vote('prevote', 0, 'y', 'a')]).effects).toEqual([]);
  });

  it('reports two proposals from one proposer as evidence', () => {
    const t = run(started('b'), [proposal(0, 'v'), proposal(0, 'w')]);
    expect(t.effects.filter((e) => e.kind === 'evidence')).toHaveLength(1);
  });

  it('ignores votes from non-validators', () => {
    const t = run(started('b'), [vote('prevote', 0, null, 'zz')]);
    expect(t.state.votes.get(0)).toBeUndefined();
  });
});

describe('purity', () => {
  it('never mutates the given state and gives the same result twice', () => {
    const s = run(started('b'), [proposal(0, 'v'), verdict('v', true), vote('prevote', 0, 'v', 'a')]).state;
    const before = structuredClone(s);
    const input = vote('prevote', 0, 'v', 'c');
    const one = apply(s, input);
    const two = apply(s, input);
    expect(s).toEqual(before);
    expect(one).toEqual(two);
    expect(castVotes(one.effects)).toEqual(['precommit:0:v']);
  });
});
