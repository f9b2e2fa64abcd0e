/** The core's state: plain immutable data, safe to keep, compare and checkpoint. */
import { applyValidatorUpdates, advanceProposer, proposerAt } from './validators';
import { EMPTY_KEEPER } from './votes';
import type { VoteKeeper } from './votes';
import type { ProposalInput, VoteInput } from './io';
import type { Address, Proposal, Step, ValidatorSet, ValidatorUpdate, ValueId } from './types';

/** Validator updates waiting for the height at which they take effect. */
export interface ScheduledUpdates {
  readonly height: number;
  readonly updates: readonly ValidatorUpdate[];
}

/** The state of Algorithm 1 for one validator, plus the bookkeeping the rules need. */
export interface ConsensusState {
  /** This validator's address (h_p, round_p, step_p belong to it). */
  readonly address: Address;
  readonly height: number;
  readonly round: number;
  readonly step: Step;
  /** proposer(height, round), computed when the round starts. */
  readonly proposer: Address;
  readonly lockedValue: ValueId | null;
  readonly lockedRound: number;
  readonly validValue: ValueId | null;
  readonly validRound: number;
  /** decision_p[height]; null until L49 fires. */
  readonly decision: ValueId | null;
  /** The validators of this height, with the proposer priorities of its round 0. */
  readonly validators: ValidatorSet;
  readonly scheduledUpdates: readonly ScheduledUpdates[];
  /** The first proposal from the right proposer, per round of this height. */
  readonly proposals: ReadonlyMap<number, Proposal>;
  readonly votes: VoteKeeper;
  /** The application's verdicts on values of this height. */
  readonly verdicts: ReadonlyMap<ValueId, boolean>;
  readonly pendingVerdicts: ReadonlySet<ValueId>;
  /** The round for which a `request-proposal` is outstanding, or -1. */
  readonly awaitingValue: number;
  /** "for the first time" guards of L34, L36 and L47 in the current round. */
  readonly prevoteTimeoutScheduled: boolean;
  readonly precommitTimeoutScheduled: boolean;
  readonly validValueUpdated: boolean;
  /** Messages for the next height, replayed when it starts. */
  readonly future: readonly (ProposalInput | VoteInput)[];
}

/** What the host needs to build a fresh core. */
export interface CreateStateOptions {
  readonly address: Address;
  /** The height to start (1 at genesis, or the block store's height + 1). */
  readonly height: number;
  /** The validators of that height, with their proposer priorities. */
  readonly validators: ValidatorSet;
  /** Updates already committed that take effect at later heights. */
  readonly scheduledUpdates?: readonly ScheduledUpdates[];
}

/** A core waiting for `start-height` at `options.height`. */
export function createState(options: CreateStateOptions): ConsensusState {
  return {
    address: options.address,
    height: options.height,
    round: 0,
    step: 'idle',
    proposer: proposerAt(options.validators, 0),
    lockedValue: null,
    lockedRound: -1,
    validValue: null,
    validRound: -1,
    decision: null,
    validators: options.validators,
    scheduledUpdates: options.scheduledUpdates ?? [],
    proposals: new Map(),
    votes: EMPTY_KEEPER,
    verdicts: new Map(),
    pendingVerdicts: new Set(),
    awaitingValue: -1,
    prevoteTimeoutScheduled: false,
    precommitTimeoutScheduled: false,
    validValueUpdated: false,
    future: [],
  };
}

/** The validator set at `height` (≥ the state's height) as far as the committed updates known to the core say. */
export function validatorsAt(state: ConsensusState, height: number): ValidatorSet {
  let set = state.validators;
  for (let h = state.height + 1; h <= height; h++) {
    set = advanceProposer(set);
    for (const s of state.scheduledUpdates) if (s.height === h) set = applyValidatorUpdates(set, s.updates);
  }
  return set;
}
