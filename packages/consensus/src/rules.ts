/**
 * The "upon" rules of Algorithm 1, evaluated after every input until none fires.
 * Each rule names the paper line it implements.
 */
import { castVote, startRound } from './context';
import type { Context } from './context';
import { isOneThird, isQuorum } from './validators';
import { powerFor, roundVotes, votesFor } from './votes';

/** Runs the rules to a fixed point. */
export function evaluate(ctx: Context): void {
  const d = ctx.d;
  for (;;) {
    if (d.step === 'idle' || d.step === 'decided') return;
    if (decide(ctx)) return;
    if (skipRound(ctx)) continue;
    const step = d.step;
    if (step === 'propose') prevoteProposal(ctx);
    scheduleTimeouts(ctx);
    lockOrUpdateValid(ctx);
    precommitNil(ctx);
    scheduleTimeouts(ctx);
    if (d.step === step) return;
  }
}

/** L49: PROPOSAL(h, r, v, *) and 2f+1 PRECOMMIT(h, r, id(v)) with valid(v), for any round r: decide. */
function decide(ctx: Context): boolean {
  const d = ctx.d;
  for (const [round, proposal] of d.proposals) {
    if (d.verdicts.get(proposal.value) !== true) continue;
    if (!isQuorum(d.validators, powerFor(d.votes, round, 'precommit', proposal.value))) continue;
    d.decision = proposal.value;
    d.step = 'decided';
    const precommits = votesFor(d.votes, round, 'precommit', proposal.value);
    ctx.effects.push({
      kind: 'commit',
      certificate: { height: d.height, round, value: proposal.value, precommits },
    });
    return true;
  }
  return false;
}

/** L55: f+1 messages from a round above round_p: StartRound(that round). */
function skipRound(ctx: Context): boolean {
  const d = ctx.d;
  let target = -1;
  for (const [round, rv] of d.votes) {
    if (round > d.round && round > target && isOneThird(d.validators, rv.senderPower)) target = round;
  }
  if (target < 0) return false;
  startRound(ctx, target);
  return true;
}

/** L22 and L28: prevote on the round's proposal once the application's verdict is in. */
function prevoteProposal(ctx: Context): void {
  const d = ctx.d;
  const proposal = d.proposals.get(d.round);
  if (!proposal) return;
  const verdict = d.verdicts.get(proposal.value);
  const ignoreLock = ctx.faults.ignoreLockOnPrevote === true;
  if (proposal.validRound === -1) {
    // L22: a fresh value; wait for the application's verdict (valid(v)).
    if (verdict === undefined) return;
    const free = ignoreLock || d.lockedRound === -1 || d.lockedValue === proposal.value;
    // L23-L26: prevote id(v) when valid and not locked on another value, else nil.
    castVote(ctx, 'prevote', verdict && free ? proposal.value : null);
    d.step = 'prevote'; // L27
    return;
  }
  const vr = proposal.validRound;
  // L28: a re-proposed value needs 2f+1 PREVOTE(h, vr, id(v)) with vr < round_p.
  if (vr >= d.round) return;
  if (!isQuorum(d.validators, powerFor(d.votes, vr, 'prevote', proposal.value))) return;
  if (verdict === undefined) return;
  const free = ignoreLock || d.lockedRound <= vr || d.lockedValue === proposal.value;
  // L29-L32: prevote id(v) when valid and the lock is no newer than vr (or on v), else nil.
  castVote(ctx, 'prevote', verdict && free ? proposal.value : null);
  d.step = 'prevote'; // L33
}

/** L34 and L47: the prevote and precommit timeouts, each once per round. */
function scheduleTimeouts(ctx: Context): void {
  const d = ctx.d;
  const rv = roundVotes(d.votes, d.round);
  // L34: 2f+1 PREVOTE(h, round_p, *) while step = prevote, first time: schedule OnTimeoutPrevote.
  if (d.step === 'prevote' && !d.prevoteTimeoutScheduled && isQuorum(d.validators, rv.prevote.total)) {
    d.prevoteTimeoutScheduled = true;
    ctx.effects.push({ kind: 'schedule-timeout', timeout: { kind: 'prevote', height: d.height, round: d.round } });
  }
  // L47: 2f+1 PRECOMMIT(h, round_p, *), first time: schedule OnTimeoutPrecommit.
  if (!d.precommitTimeoutScheduled && isQuorum(d.validators, rv.precommit.total)) {
    d.precommitTimeoutScheduled = true;
    ctx.effects.push({
      kind: 'schedule-timeout',
      timeout: { kind: 'precommit', height: d.height, round: d.round },
    });
  }
}

/** L36: PROPOSAL(h, round_p, v, *) and 2f+1 PREVOTE(h, round_p, id(v)), valid(v), step ≥ prevote, first time. */
function lockOrUpdateValid(ctx: Context): void {
  const d = ctx.d;
  if (d.validValueUpdated || (d.step !== 'prevote' && d.step !== 'precommit')) return;
  const proposal = d.proposals.get(d.round);
  if (!proposal || d.verdicts.get(proposal.value) !== true) return;
  if (!isQuorum(d.validators, powerFor(d.votes, d.round, 'prevote', proposal.value))) return;
  d.validValueUpdated = true;
  if (d.step === 'prevote') {
    // L38-L41: lock on v and precommit it.
    d.lockedValue = proposal.value;
    d.lockedRound = d.round;
    castVote(ctx, 'precommit', proposal.value);
    d.step = 'precommit';
  }
  // L42-L43: v is the valid value of this round.
  d.validValue = proposal.value;
  d.validRound = d.round;
}

/** L44: 2f+1 PREVOTE(h, round_p, nil) while step = prevote: precommit nil. */
function precommitNil(ctx: Context): void {
  const d = ctx.d;
  if (d.step !== 'prevote') return;
  if (!isQuorum(d.validators, powerFor(d.votes, d.round, 'prevote', null))) return;
  castVote(ctx, 'precommit', null);
  d.step = 'precommit'; // L46
}
