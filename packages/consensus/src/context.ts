/** The working draft of one `apply` call and the actions the rules share. */
import { proposerAt } from './validators';
import { addSender, addVote } from './votes';
import type { Effect } from './io';
import type { ConsensusState } from './state';
import type { Proposal, ValueId, VoteType } from './types';

/** Planted bugs for the simulator's own tests. Off in every public entry point. */
export interface CoreFaults {
  /** Prevote a valid proposal even when locked on another value (breaks L22/L28). */
  readonly ignoreLockOnPrevote?: boolean;
}

/** No planted bugs. */
export const NO_FAULTS: CoreFaults = {};

/** A mutable copy of the state; nested maps are replaced, never mutated. */
export type Draft = { -readonly [K in keyof ConsensusState]: ConsensusState[K] };

/** One `apply` call in progress. */
export interface Context {
  readonly d: Draft;
  readonly effects: Effect[];
  readonly faults: CoreFaults;
}

/** The proposer of `round` at the current height (cached for the current round). */
export function proposerOf(ctx: Context, round: number): string {
  return round === ctx.d.round ? ctx.d.proposer : proposerAt(ctx.d.validators, round);
}

/** Broadcasts this node's vote and counts it at once (a node receives its own messages). */
export function castVote(ctx: Context, type: VoteType, value: ValueId | null): void {
  const d = ctx.d;
  const vote = { type, height: d.height, round: d.round, value, validator: d.address };
  ctx.effects.push({ kind: 'broadcast', message: { kind: 'vote', vote } });
  const added = addVote(d.votes, d.validators, vote);
  if (added.outcome === 'added') d.votes = added.keeper;
}

/** Broadcasts this node's proposal and records it as received, as a node receives its own messages. */
export function propose(ctx: Context, value: ValueId, validRound: number): void {
  const d = ctx.d;
  const proposal = { height: d.height, round: d.round, value, validRound, proposer: d.address };
  ctx.effects.push({ kind: 'broadcast', message: { kind: 'proposal', proposal } });
  recordProposal(ctx, proposal);
}

/** Keeps the round's proposal and asks the application for its verdict on a value not judged yet. */
export function recordProposal(ctx: Context, p: Proposal): void {
  const d = ctx.d;
  const proposals = new Map(d.proposals);
  proposals.set(p.round, p);
  d.proposals = proposals;
  d.votes = addSender(d.votes, d.validators, p.round, p.proposer);
  if (!d.verdicts.has(p.value) && !d.pendingVerdicts.has(p.value)) {
    // valid(v) is the application's call: ask once per value and wait for the verdict.
    const pending = new Set(d.pendingVerdicts);
    pending.add(p.value);
    d.pendingVerdicts = pending;
    ctx.effects.push({ kind: 'validate-proposal', height: p.height, round: p.round, value: p.value });
  }
}

/** StartRound(round), lines 11-21. */
export function startRound(ctx: Context, round: number): void {
  const d = ctx.d;
  d.round = round;
  d.step = 'propose';
  d.proposer = proposerAt(d.validators, round);
  d.awaitingValue = -1;
  d.prevoteTimeoutScheduled = false;
  d.precommitTimeoutScheduled = false;
  d.validValueUpdated = false;
  if (d.proposer === d.address) {
    if (d.validValue !== null) {
      // L15-L16: re-propose the valid value with its round.
      propose(ctx, d.validValue, d.validRound);
    } else {
      // L18: getValue() — the application chooses; it answers with `proposal-value`.
      d.awaitingValue = round;
      ctx.effects.push({ kind: 'request-proposal', height: d.height, round });
    }
  } else {
    // L21: schedule OnTimeoutPropose(h_p, round_p).
    ctx.effects.push({ kind: 'schedule-timeout', timeout: { kind: 'propose', height: d.height, round } });
  }
}
