import { makeValidatorSet } from '@learnchain/consensus';
import { Identity, signStatement, toHex } from '@learnchain/core';
import { blockHashOf, proposalStatement, signVote } from '@learnchain/ledger';
import type { v1 } from '@learnchain/proto';

import { ROUNDS_AHEAD, VALUES_PER_ROUND } from '../ballots';
import { admitProposal, admitVote, MessageBook, relayPlan, statusCallsForSync, VerifiedVotes, voteKey, wireVoteKey, type GossipView } from '../gossip';
import { timeoutDuration } from '../timers';

const CHAIN = 'gossip-test';
const member = Identity.generate();
const outsider = Identity.generate();
const value = toHex(new Uint8Array(32).fill(7));
const set = makeValidatorSet([{ address: member.address, power: 10 }]);

function view(book = new MessageBook(), height = 5, round = 0): GossipView {
  return { chainId: CHAIN, votes: new VerifiedVotes(CHAIN), height, round, setFor: (h) => (h === height || h === height + 1 ? set : undefined), book };
}

const vote = (height: number, signer = member, v: string | null = value, round = 0) => ({ type: 'prevote' as const, height, round, value: v, validator: signer.address });
const valueOf = (n: number): string => toHex(new Uint8Array(32).fill(n));

/** Admits `wire` as the inbound path does: into the book when taken. */
function take(v: GossipView, wire: ReturnType<typeof signVote>): string {
  const admitted = admitVote(v, wire);
  if (admitted.reception === 'ok') v.book.addVote(admitted.key, wire);
  return admitted.reception;
}

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

describe("a validator's share of the book", () => {
  it(`takes ${VALUES_PER_ROUND} distinct values of one validator per round and vote type (a vote and its equivocation), and ignores more`, () => {
    const v = view();
    const seen = [1, 2, 3, 4].map((n) => take(v, signVote(member, CHAIN, vote(5, member, valueOf(n)))));
    expect(seen).toEqual(['ok', 'ok', 'ignored', 'ignored']);
    // The precommits of that round are a share of their own; what the book holds comes again as a duplicate.
    expect(take(v, signVote(member, CHAIN, { ...vote(5, member, valueOf(3)), type: 'precommit' }))).toBe('ok');
    expect(take(v, signVote(member, CHAIN, vote(5, member, valueOf(2))))).toBe('duplicate');
  });

  it(`takes votes of a validator in ${ROUNDS_AHEAD} rounds ahead of the running one, and more once the node has moved on`, () => {
    const book = new MessageBook();
    const ahead = [3, 4, 7].map((round) => take(view(book, 5, 1), signVote(member, CHAIN, vote(5, member, value, round))));
    expect(ahead).toEqual(['ok', 'ok', 'ignored']);
    // Rounds not ahead are always taken.
    expect(take(view(book, 5, 1), signVote(member, CHAIN, vote(5, member, value, 1)))).toBe('ok');
    // In round 3, only round 4 is ahead: round 7 is taken now.
    expect(take(view(book, 5, 3), signVote(member, CHAIN, vote(5, member, value, 7)))).toBe('ok');
    // The next height counts from its round 0.
    const next = [0, 1, 2, 3].map((round) => take(view(book, 5, 3), signVote(member, CHAIN, vote(6, member, value, round))));
    expect(next).toEqual(['ok', 'ok', 'ok', 'ignored']);
    // Committing the height frees its share.
    book.prune(5);
    expect(book.voteFits(signVote(member, CHAIN, vote(5, member, valueOf(9), 9)), 0)).toBe(true);
  });
});

describe("a proposer's share of the book", () => {
  /** A signed proposal of `member` for a block told apart by its time. */
  function proposal(height: number, round: number, time: number): v1.Proposal__Output {
    const header = { chainId: CHAIN, height, timeMs: time, proposer: member.address, lastValidatorUpdates: [] } as unknown as v1.Header__Output;
    const statement = proposalStatement(CHAIN, height, round, blockHashOf(header), -1);
    const signature = { publicKey: Buffer.from(member.publicKey), signature: Buffer.from(signStatement(member, 'proposal', statement)) };
    return { height, round, proposer: member.address, validRound: -1, block: { header, txs: [], lastCommit: null }, signature } as unknown as v1.Proposal__Output;
  }

  it(`takes ${VALUES_PER_ROUND} distinct blocks of one proposer per round and ${ROUNDS_AHEAD} rounds ahead, and ignores more`, () => {
    const v = view();
    const take = (wire: v1.Proposal__Output): string => {
      const admitted = admitProposal(v, wire);
      if (admitted.reception === 'ok') v.book.addProposal(admitted.proposal, { message: 'proposal', proposal: wire });
      return admitted.reception;
    };
    expect([1, 2, 3].map((t) => take(proposal(5, 0, t)))).toEqual(['ok', 'ok', 'ignored']);
    expect(take(proposal(5, 0, 1))).toBe('duplicate');
    expect([1, 2, 3].map((round) => take(proposal(5, round, 1)))).toEqual(['ok', 'ok', 'ignored']);
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
