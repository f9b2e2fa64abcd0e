/**
 * The pure Tendermint core: `apply(state, input) -> { state, effects }`.
 * Algorithm 1 of Buchman, Kwon, Milosevic, "The latest gossip on BFT consensus"
 * (arXiv 1807.04938); comments name the paper's lines. The given state is never
 * mutated, so a host may keep old states (checkpoints, tests, replays).
 */
import { castVote, NO_FAULTS, propose, proposerOf, recordProposal, startRound } from './context';
import type { Context, CoreFaults, Draft } from './context';
import { HeightMismatchError } from './errors';
import { evaluate } from './rules';
import { advanceProposer, applyValidatorUpdates } from './validators';
import { verifyCommit } from './certificate';
import { addVote, EMPTY_KEEPER } from './votes';
import type { CommitCertificateInput, Effect, Input, ProposalInput, ProposalValueInput, StartHeightInput, VerdictInput, VoteInput } from './io';
import type { ConsensusState } from './state';
import type { Timeout } from './types';

/** The result of one `apply`. */
export interface Transition {
  readonly state: ConsensusState;
  readonly effects: readonly Effect[];
}

/** Rounds above this are ignored: proposer selection costs O(round × validators). */
export const MAX_ROUND = 10_000;

/** Messages for the next height kept until it starts. */
export const MAX_FUTURE_MESSAGES = 4096;

/** Applies one input. Pure: same state and input, same result. */
export function apply(state: ConsensusState, input: Input): Transition {
  return applyWithFaults(state, input, NO_FAULTS);
}

/** {@link apply} with planted bugs; reachable from the package's own simulator and tests only. */
export function applyWithFaults(state: ConsensusState, input: Input, faults: CoreFaults): Transition {
  const ctx: Context = { d: { ...state }, effects: [], faults };
  receive(ctx, input);
  return { state: ctx.d, effects: ctx.effects };
}

function receive(ctx: Context, input: Input): void {
  switch (input.kind) {
    case 'start-height':
      startHeight(ctx, input);
      return;
    case 'proposal':
      onProposal(ctx, input);
      break;
    case 'vote':
      onVote(ctx, input);
      break;
    case 'timeout-elapsed':
      onTimeout(ctx, input.timeout);
      break;
    case 'proposal-value':
      onProposalValue(ctx, input);
      break;
    case 'verdict':
      onVerdict(ctx, input);
      break;
    case 'commit-certificate':
      onCertificate(ctx, input);
      return;
  }
  evaluate(ctx);
}

function startHeight(ctx: Context, input: StartHeightInput): void {
  const d = ctx.d;
  if (d.step === 'idle') {
    if (input.height !== d.height) throw new HeightMismatchError(d.height, input.height);
  } else if (d.step === 'decided' && input.height === d.height + 1) {
    // L54: h_p ← h_p + 1 with the validators committed two heights earlier.
    let set = advanceProposer(d.validators);
    for (const s of d.scheduledUpdates) if (s.height === input.height) set = applyValidatorUpdates(set, s.updates);
    d.validators = set;
    d.scheduledUpdates = d.scheduledUpdates.filter((s) => s.height > input.height);
    d.height = input.height;
  } else {
    throw new HeightMismatchError(d.step === 'decided' ? d.height + 1 : d.height, input.height);
  }
  if (input.validatorUpdates.length > 0) {
    // Updates of block h-1 take effect at h+1: two heights after the block that commits them.
    d.scheduledUpdates = [...d.scheduledUpdates, { height: input.height + 1, updates: input.validatorUpdates }];
  }
  resetHeight(d);
  startRound(ctx, 0); // L10 / L54: StartRound(0)
  const buffered = d.future.filter((m) => messageHeight(m) === d.height);
  d.future = [];
  evaluate(ctx);
  for (const m of buffered) receive(ctx, m);
}

/** L2-L8 for a new height: the per-height variables start empty. */
function resetHeight(d: Draft): void {
  d.round = 0;
  d.lockedValue = null;
  d.lockedRound = -1;
  d.validValue = null;
  d.validRound = -1;
  d.decision = null;
  d.proposals = new Map();
  d.votes = EMPTY_KEEPER;
  d.verdicts = new Map();
  d.pendingVerdicts = new Set();
}

function messageHeight(m: ProposalInput | VoteInput): number {
  return m.kind === 'proposal' ? m.proposal.height : m.vote.height;
}

/** True when a message of `height` is for the running height; buffers next-height messages. */
function admit(ctx: Context, input: ProposalInput | VoteInput, height: number, round: number): boolean {
  const d = ctx.d;
  if (round < 0 || round > MAX_ROUND || !Number.isSafeInteger(round)) return false;
  const early = (d.step === 'idle' && height === d.height) || height === d.height + 1;
  if (early) {
    if (d.future.length < MAX_FUTURE_MESSAGES) d.future = [...d.future, input];
    return false;
  }
  return height === d.height && d.step !== 'decided' && d.step !== 'idle';
}

function onProposal(ctx: Context, input: ProposalInput): void {
  const d = ctx.d;
  const p = input.proposal;
  if (!admit(ctx, input, p.height, p.round)) return;
  if (p.validRound < -1 || p.validRound >= p.round) return;
  if (p.proposer !== proposerOf(ctx, p.round)) return;
  const existing = d.proposals.get(p.round);
  if (existing) {
    if (existing.value !== p.value || existing.validRound !== p.validRound) {
      ctx.effects.push({ kind: 'evidence', evidence: { kind: 'duplicate-proposal', first: existing, second: p } });
    }
    return;
  }
  recordProposal(ctx, p);
}

function onVote(ctx: Context, input: VoteInput): void {
  const d = ctx.d;
  const v = input.vote;
  if (!admit(ctx, input, v.height, v.round)) return;
  const added = addVote(d.votes, d.validators, v);
  if (added.outcome === 'added') d.votes = added.keeper;
  else if (added.outcome === 'equivocation') {
    d.votes = added.keeper;
    ctx.effects.push({ kind: 'evidence', evidence: { kind: 'duplicate-vote', first: added.first, second: v } });
  }
}

function onTimeout(ctx: Context, t: Timeout): void {
  const d = ctx.d;
  if (t.height !== d.height || t.round !== d.round) return;
  if (t.kind === 'propose' && d.step === 'propose') {
    // L57-L60: OnTimeoutPropose while step = propose: prevote nil.
    castVote(ctx, 'prevote', null);
    d.step = 'prevote';
  } else if (t.kind === 'prevote' && d.step === 'prevote') {
    // L61-L64: OnTimeoutPrevote while step = prevote: precommit nil.
    castVote(ctx, 'precommit', null);
    d.step = 'precommit';
  } else if (t.kind === 'precommit' && d.step !== 'decided' && d.step !== 'idle') {
    // L65-L67: OnTimeoutPrecommit: StartRound(round_p + 1).
    startRound(ctx, d.round + 1);
  }
}

function onProposalValue(ctx: Context, input: ProposalValueInput): void {
  const d = ctx.d;
  if (input.height !== d.height || input.round !== d.round || d.awaitingValue !== d.round) return;
  if (d.step !== 'propose') return;
  d.awaitingValue = -1;
  // L19: broadcast PROPOSAL(h_p, round_p, proposal, -1) with the value getValue() returned.
  propose(ctx, input.value, -1);
}

function onVerdict(ctx: Context, input: VerdictInput): void {
  const d = ctx.d;
  if (input.height !== d.height || d.step === 'idle' || d.step === 'decided') return;
  if (d.verdicts.get(input.value) === input.valid) return;
  const verdicts = new Map(d.verdicts);
  verdicts.set(input.value, input.valid);
  d.verdicts = verdicts;
  if (d.pendingVerdicts.has(input.value)) {
    const pending = new Set(d.pendingVerdicts);
    pending.delete(input.value);
    d.pendingVerdicts = pending;
  }
}

/**
 * L49 by proof: > 2/3 of the power precommitted v, so v is decided whatever this
 * node saw. Validity is covered by the honest validators among the signers.
 */
function onCertificate(ctx: Context, input: CommitCertificateInput): void {
  const d = ctx.d;
  const cert = input.certificate;
  if (d.step === 'idle' || d.step === 'decided' || cert.height !== d.height) return;
  if (!verifyCommit(cert, d.validators)) return;
  d.decision = cert.value;
  d.step = 'decided';
  ctx.effects.push({ kind: 'commit', certificate: cert });
}
