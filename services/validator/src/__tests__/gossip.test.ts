import { makeValidatorSet } from '@learnchain/consensus';
import { Identity, toHex } from '@learnchain/core';
import { signVote } from '@learnchain/ledger';

import { admitVote, MessageBook, relayPlan, statusCallsForSync, VerifiedVotes, voteKey, wireVoteKey, type GossipView } from '../gossip';
import { timeoutDuration } from '../timers';

const CHAIN = 'gossip-test';
const member = Identity.generate();
const outsider = Identity.generate();
const value = toHex(new Uint8Array(32).fill(7));
const set = makeValidatorSet([{ address: member.address, power: 10 }]);

function view(book = new MessageBook(), height = 5): GossipView {
  return { chainId: CHAIN, votes: new VerifiedVotes(CHAIN), height, setFor: (h) => (h === height || h === height + 1 ? set : undefined), book };
}

const vote = (height: number, signer = member, v: string | null = value) => ({ type: 'prevote' as const, height, round: 0, value: v, validator: signer.address });

describe('gossip checks', () => {
  it('admits a signed vote of a validator once, and keys it the same as the core vote', () => {
    const book = new MessageBook();
    const wire = signVote(member, CHAIN, vote(5));
    const admitted = admitVote(view(book), wire);
    expect(admitted).toEqual({ reception: 'ok', key: voteKey(vote(5)), vote: vote(5) });
    expect(wireVoteKey(wire)).toBe(voteKey(vote(5)));
    book.addVote(wireVoteKey(wire), wire);
    expect(admitVote(view(book), wire).reception).toBe('duplicate');
    expect(book.precommits([vote(5)])).toEqual([wire]);
  });

  it('refuses votes from non-validators, with a bad signature, or for another chain; ignores old heights', () => {
    expect(admitVote(view(), signVote(outsider, CHAIN, vote(5, outsider))).reception).toBe('bad');
    expect(admitVote(view(), signVote(member, 'other-chain', vote(5))).reception).toBe('bad');
    const tampered = { ...signVote(member, CHAIN, vote(5)), round: 1 };
    expect(admitVote(view(), tampered).reception).toBe('bad');
    expect(admitVote(view(), signVote(member, CHAIN, vote(4))).reception).toBe('ignored');
  });

  it('takes a genuine vote far ahead as a sign to sync, a forged one as bad', () => {
    expect(admitVote(view(), signVote(member, CHAIN, vote(9)))).toEqual({ reception: 'ignored', behind: true });
    expect(admitVote(view(), { ...signVote(member, CHAIN, vote(9)), round: 2 }).reception).toBe('bad');
  });

  it('relays the votes of the running height on, and proposals only when stalled four times as long', () => {
    const book = new MessageBook();
    book.addOwn({ message: 'vote', vote: signVote(member, CHAIN, vote(4)) });
    book.addOwn({ message: 'vote', vote: signVote(member, CHAIN, vote(5)) });
    book.addOwn({ message: 'vote', vote: signVote(member, CHAIN, vote(6, member, null)) });
    expect(book.relayed(5, false).map((m) => m.vote?.height)).toEqual([5, 6]);
    book.prune(5);
    expect(book.relayed(0, true).map((m) => m.vote?.height)).toEqual([6]);
    expect(relayPlan(1000, 800, 0, 500)).toEqual({ relay: false, withProposals: false });
    expect(relayPlan(1000, 400, 0, 500)).toEqual({ relay: true, withProposals: false });
    expect(relayPlan(2500, 1900, 0, 500)).toEqual({ relay: true, withProposals: true });
  });

  it('syncs on a status that committed the running height only when ahead or the height is old', () => {
    const status = (latestCommitted: number) => ({ height: latestCommitted + 1, round: 0, latestCommitted });
    expect(statusCallsForSync(status(4), 5, 10_000, 500)).toBe(false);
    expect(statusCallsForSync(status(5), 5, 100, 500)).toBe(false);
    expect(statusCallsForSync(status(5), 5, 600, 500)).toBe(true);
    expect(statusCallsForSync(status(6), 5, 0, 500)).toBe(true);
  });
});

describe('verified votes', () => {
  it('remembers a vote that verified, and never takes a changed one for it', () => {
    const votes = new VerifiedVotes(CHAIN);
    const wire = signVote(member, CHAIN, vote(5));
    expect(votes.check(wire)).toEqual(vote(5));
    expect(votes.check(wire)).toEqual(vote(5));
    const signature = wire.signature as NonNullable<typeof wire.signature>;
    const flipped = Buffer.from(signature.signature);
    flipped[0] = (flipped[0] as number) ^ 1;
    expect(votes.check({ ...wire, signature: { ...signature, signature: flipped } })).toBeUndefined();
    expect(votes.check({ ...wire, round: 1 })).toBeUndefined();
    expect(votes.check({ ...wire, blockHash: Buffer.alloc(32, 8) })).toBeUndefined();
    expect(new VerifiedVotes('other-chain').check(wire)).toBeUndefined();
  });
});

describe('timeouts', () => {
  it('waits proposeMs for round 0 proposals and roundMs growing by half per round otherwise', () => {
    const timing = { proposeMs: 3000, roundMs: 500 };
    expect(timeoutDuration({ kind: 'propose', height: 1, round: 0 }, timing)).toBe(3000);
    expect(timeoutDuration({ kind: 'propose', height: 1, round: 2 }, timing)).toBe(1000);
    expect(timeoutDuration({ kind: 'prevote', height: 1, round: 0 }, timing)).toBe(500);
    expect(timeoutDuration({ kind: 'precommit', height: 1, round: 1 }, timing)).toBe(750);
  });
});
