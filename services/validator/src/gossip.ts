/**
 * Gossip as the consensus host sees it: the network port, the book of
 * verified votes and proposals of the running and next height (deduplication,
 * commits built from it, re-gossip when a height stalls), and the pure checks
 * a peer's vote or proposal passes before the core may see it.
 */
import { powerOf, validatorsAt, type ConsensusState, type Proposal, type ValidatorSet, type Vote } from '@learnchain/consensus';
import { sha256, toHex, verifyStatement } from '@learnchain/core';
import { checkVote, proposalStatement } from '@learnchain/ledger';
import type { v1 } from '@learnchain/proto';

import { Ballots } from './ballots';
import { valueBytes, valueOf } from './blocks';

/** What the node needs from the network: send to every peer, and fetch blocks it lacks. */
export interface Network {
  broadcast(message: v1.ConsensusMessage__Output): void;
  /** True while blocks are being fetched from a peer. */
  readonly syncing: boolean;
  /** Passes a transaction this mempool accepted on to the other validators (batched). */
  gossipTx(tx: v1.Tx__Output): void;
  requestSync(peer?: string): void;
}

/** A network that goes nowhere (before `attach`). */
export const NO_NETWORK: Network = { syncing: false, broadcast: () => undefined, gossipTx: () => undefined, requestSync: () => undefined };

/** How a peer's message was taken: 'bad' counts against the peer. */
export type Reception = 'ok' | 'duplicate' | 'ignored' | 'bad';

/** The book key of a wire vote: height/round/type/validator/value. */
export function wireVoteKey(wire: v1.Vote__Output): string {
  return `${wire.height}/${wire.round}/${String(wire.type)}/${wire.validator}/${toHex(wire.blockHash)}`;
}

/** The book key of a core vote (the same as its wire form's). */
export function voteKey(v: Vote): string {
  return `${v.height}/${v.round}/${v.type === 'prevote' ? 'VOTE_TYPE_PREVOTE' : 'VOTE_TYPE_PRECOMMIT'}/${v.validator}/${v.value ?? ''}`;
}

/** The book key of a peer's proposal. */
function proposalKey(height: number, round: number, proposer: string, value: string): string {
  return `${height}/${round}/${proposer}/${value}`;
}

function heightOfKey(key: string): number {
  return Number(key.split('/')[0]);
}

/** Verified votes and proposals (own and received) of the running and next height, within what Ballots lets each validator put in. */
export class MessageBook {
  private readonly votes = new Map<string, v1.Vote__Output>();
  private readonly proposals = new Map<string, v1.ConsensusMessage__Output>();
  private readonly ballots = new Ballots();

  hasVote(key: string): boolean {
    return this.votes.has(key);
  }

  vote(key: string): v1.Vote__Output | undefined {
    return this.votes.get(key);
  }

  /** Whether a vote not in the book yet would fit its validator's share of it, `running` being the running round of its height. */
  voteFits(wire: v1.Vote__Output, running: number): boolean {
    return this.ballots.fits(wire.height, wire.round, wire.validator, String(wire.type), toHex(wire.blockHash), running);
  }

  addVote(key: string, wire: v1.Vote__Output): void {
    this.votes.set(key, wire);
    this.ballots.add(wire.height, wire.round, wire.validator, String(wire.type), toHex(wire.blockHash));
  }

  hasProposal(key: string): boolean {
    return this.proposals.has(key);
  }

  /** A peer's signed proposal, as received (with its block). */
  proposal(p: Proposal): v1.Proposal__Output | undefined {
    return this.proposals.get(proposalKey(p.height, p.round, p.proposer, p.value))?.proposal ?? undefined;
  }

  /** Whether a proposal not in the book yet would fit its proposer's share of it, `running` being the running round of its height. */
  proposalFits(p: Proposal, running: number): boolean {
    return this.ballots.fits(p.height, p.round, p.proposer, 'proposal', p.value, running);
  }

  addProposal(p: Proposal, message: v1.ConsensusMessage__Output): void {
    this.proposals.set(proposalKey(p.height, p.round, p.proposer, p.value), message);
    this.ballots.add(p.height, p.round, p.proposer, 'proposal', p.value);
  }

  /** Keeps what this validator signed, for commits and re-gossip. */
  addOwn(wire: v1.ConsensusMessage__Output): void {
    if (wire.vote) this.addVote(wireVoteKey(wire.vote), wire.vote);
    if (wire.proposal) this.proposals.set(`${wire.proposal.height}/${wire.proposal.round}`, wire);
  }

  /** The precommits of a certificate as signed on the wire (those the book holds). */
  precommits(votes: readonly Vote[]): v1.Vote__Output[] {
    return votes.map((v) => this.votes.get(voteKey(v))).filter((v): v is v1.Vote__Output => v !== undefined);
  }

  /** Those of `votes` whose signed form the book holds. */
  signedOf(votes: readonly Vote[]): Vote[] {
    return votes.filter((v) => this.votes.has(voteKey(v)));
  }

  /** Forgets everything of heights up to `committed`. */
  prune(committed: number): void {
    for (const key of this.votes.keys()) if (heightOfKey(key) <= committed) this.votes.delete(key);
    for (const key of this.proposals.keys()) if (heightOfKey(key) <= committed) this.proposals.delete(key);
    this.ballots.prune(committed);
  }

  /** The messages to gossip again for heights from `height` on: the votes, and with `withProposals` the proposals. */
  relayed(height: number, withProposals: boolean): v1.ConsensusMessage__Output[] {
    const out: v1.ConsensusMessage__Output[] = [];
    for (const [key, vote] of this.votes) if (heightOfKey(key) >= height) out.push({ message: 'vote', vote });
    if (withProposals) for (const [key, proposal] of this.proposals) if (heightOfKey(key) >= height) out.push(proposal);
    return out;
  }
}

const VERIFIED_MEMORY = 10_000;

/**
 * Votes whose signatures verified, remembered by everything the signature
 * covers (and the key and signature themselves), so a vote checked when it was
 * gossiped is not verified again when it comes back in a block's last commit.
 */
export class VerifiedVotes {
  private readonly verified = new Map<string, Vote>();

  constructor(private readonly chainId: string) {}

  /** The vote, when its signature verifies (from memory if it did before); undefined otherwise. */
  check(wire: v1.Vote__Output): Vote | undefined {
    const sig = wire.signature;
    if (!sig) return undefined;
    const key = `${wireVoteKey(wire)}/${toHex(sig.publicKey)}/${toHex(sig.signature)}`;
    const known = this.verified.get(key);
    if (known) return known;
    const vote = checkVote(this.chainId, wire);
    if (!vote) return undefined;
    if (this.verified.size >= VERIFIED_MEMORY) this.verified.clear();
    this.verified.set(key, vote);
    return vote;
  }
}

/** What a check of a peer's message sees of the node. */
export interface GossipView {
  readonly chainId: string;
  /** Checks a vote's signature (remembering those that verified). */
  readonly votes: VerifiedVotes;
  /** The running height and round. */
  readonly height: number;
  readonly round: number;
  /** The validator set of the running or the next height; undefined for any other. */
  setFor(height: number): ValidatorSet | undefined;
  readonly book: MessageBook;
}

/** What the checks see of a consensus core that `core` gives as it moves. */
export function gossipView(chainId: string, core: () => ConsensusState, book: MessageBook): GossipView {
  return {
    chainId,
    votes: new VerifiedVotes(chainId),
    get height() {
      return core().height;
    },
    get round() {
      return core().round;
    },
    setFor(height) {
      const now = core();
      if (height === now.height) return now.validators;
      if (height === now.height + 1) return validatorsAt(now, height);
      return undefined;
    },
    book,
  };
}

/** The outcome of checking a peer's vote or proposal. */
export type Admission<T> =
  | { readonly reception: Exclude<Reception, 'ok'>; readonly behind?: boolean }
  | ({ readonly reception: 'ok'; readonly key: string } & T);

/** The running round of `height` as this node sees it: its own for the running height, 0 for the next. */
function runningRound(view: GossipView, height: number): number {
  return height === view.height ? view.round : 0;
}

/**
 * Checks a peer's vote: for the running or the next height, from a validator
 * with power, signed; `behind` when it is genuine and far ahead (a sign this
 * node should sync).
 */
export function admitVote(view: GossipView, wire: v1.Vote__Output): Admission<{ vote: Vote }> {
  if (wire.height < view.height) return { reception: 'ignored' };
  if (wire.height > view.height + 1) {
    if (!view.votes.check(wire)) return { reception: 'bad' };
    return { reception: 'ignored', behind: true };
  }
  const key = wireVoteKey(wire);
  if (view.book.hasVote(key)) return { reception: 'duplicate' };
  // Past its validator's share of the book: not taken now (an honest one's comes again when relayed).
  if (!view.book.voteFits(wire, runningRound(view, wire.height))) return { reception: 'ignored' };
  const set = view.setFor(wire.height);
  if (!set || powerOf(set, wire.validator) === 0) return { reception: 'bad' };
  const vote = view.votes.check(wire);
  if (!vote) return { reception: 'bad' };
  return { reception: 'ok', key, vote };
}

/**
 * Checks a peer's proposal: for the running or the next height, carrying its
 * block, signed by the key of a validator with power.
 */
export function admitProposal(view: GossipView, wire: v1.Proposal__Output): Admission<{ proposal: Proposal; block: v1.Block__Output }> {
  if (wire.height < view.height) return { reception: 'ignored' };
  if (wire.height > view.height + 1) return { reception: 'ignored', behind: true };
  const block = wire.block;
  if (!block?.header || !wire.signature) return { reception: 'bad' };
  const value = valueOf(block);
  const key = proposalKey(wire.height, wire.round, wire.proposer, value);
  if (view.book.hasProposal(key)) return { reception: 'duplicate' };
  const proposal: Proposal = { height: wire.height, round: wire.round, value, validRound: wire.validRound, proposer: wire.proposer };
  if (!view.book.proposalFits(proposal, runningRound(view, wire.height))) return { reception: 'ignored' };
  const set = view.setFor(wire.height);
  const publicKey = new Uint8Array(wire.signature.publicKey);
  if (!set || powerOf(set, wire.proposer) === 0 || publicKey.length !== 32) return { reception: 'bad' };
  const statement = proposalStatement(view.chainId, wire.height, wire.round, valueBytes(value), wire.validRound);
  if (!verifyStatement(publicKey, 'proposal', statement, new Uint8Array(wire.signature.signature))) return { reception: 'bad' };
  if (toHex(sha256(publicKey).subarray(0, 20)) !== wire.proposer) return { reception: 'bad' };
  return { reception: 'ok', key, proposal, block };
}

/**
 * Whether a peer's status should start block sync: it committed the running
 * height, and either is further ahead or consensus has had `relayAfterMs` to
 * deliver that block and has not.
 */
export function statusCallsForSync(status: v1.HeightStatus__Output, height: number, heightAgeMs: number, relayAfterMs: number): boolean {
  return status.latestCommitted >= height && (status.latestCommitted > height || heightAgeMs > relayAfterMs);
}

/**
 * The relay check: nothing while the height (or the last relay) is younger
 * than `relayAfterMs`; votes after that; proposals too once the height is
 * stalled four times as long.
 */
export function relayPlan(nowMs: number, lastRelayMs: number, heightBeganMs: number, relayAfterMs: number): { relay: boolean; withProposals: boolean } {
  if (nowMs - lastRelayMs < relayAfterMs) return { relay: false, withProposals: false };
  return { relay: true, withProposals: nowMs - heightBeganMs >= 4 * relayAfterMs };
}
