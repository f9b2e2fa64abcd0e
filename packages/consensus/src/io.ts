/** The core's ports: what the host feeds in (inputs) and what it must carry out (effects). */
import type { CommitCertificate, ConsensusMessage, Evidence, Proposal, Timeout, ValidatorUpdate, ValueId, Vote } from './types';

/**
 * Starts a height. At genesis or after a restart from the block store it names the
 * core's own height; after a `commit` effect it names the next height.
 * `validatorUpdates` are those carried by the block at `height - 1` (empty at
 * genesis); they take effect at `height + 1`, two heights after that block.
 */
export interface StartHeightInput {
  readonly kind: 'start-height';
  readonly height: number;
  readonly validatorUpdates: readonly ValidatorUpdate[];
}

/** A proposal whose signature the host has already verified. */
export interface ProposalInput {
  readonly kind: 'proposal';
  readonly proposal: Proposal;
}

/** A vote whose signature the host has already verified. */
export interface VoteInput {
  readonly kind: 'vote';
  readonly vote: Vote;
}

/** A timeout the core scheduled has elapsed. */
export interface TimeoutElapsedInput {
  readonly kind: 'timeout-elapsed';
  readonly timeout: Timeout;
}

/** The application's answer to `request-proposal`: the value to propose. */
export interface ProposalValueInput {
  readonly kind: 'proposal-value';
  readonly height: number;
  readonly round: number;
  readonly value: ValueId;
}

/** The application's answer to `validate-proposal`: whether the value may be voted for. */
export interface VerdictInput {
  readonly kind: 'verdict';
  readonly height: number;
  readonly value: ValueId;
  readonly valid: boolean;
}

/**
 * A commit certificate for the running height obtained from a peer (block sync),
 * its signatures already verified by the host. The core checks its power
 * against the height's validators and decides on it: it is how a node that
 * missed messages catches up.
 */
export interface CommitCertificateInput {
  readonly kind: 'commit-certificate';
  readonly certificate: CommitCertificate;
}

/** Everything the core reacts to. */
export type Input =
  | StartHeightInput
  | CommitCertificateInput
  | ProposalInput
  | VoteInput
  | TimeoutElapsedInput
  | ProposalValueInput
  | VerdictInput;

/**
 * Sign `message` (a proposal or one of the core's own votes), append it to the
 * write-ahead log, and only then send it to every validator.
 */
export interface BroadcastEffect {
  readonly kind: 'broadcast';
  readonly message: ConsensusMessage;
}

/** Start a timer for `timeout`; its duration is the host's choice and should grow with the round. */
export interface ScheduleTimeoutEffect {
  readonly kind: 'schedule-timeout';
  readonly timeout: Timeout;
}

/** This node proposes at (height, round): ask the application for a value, answer with `proposal-value`. */
export interface RequestProposalEffect {
  readonly kind: 'request-proposal';
  readonly height: number;
  readonly round: number;
}

/** Ask the application whether `value` is valid; answer with `verdict`. The core will not prevote it before. */
export interface ValidateProposalEffect {
  readonly kind: 'validate-proposal';
  readonly height: number;
  readonly round: number;
  readonly value: ValueId;
}

/**
 * The height is decided: store the block with its certificate, apply it, then
 * send `start-height` for the next height with the block's validator updates.
 */
export interface CommitEffect {
  readonly kind: 'commit';
  readonly certificate: CommitCertificate;
}

/** Conflicting messages from one validator: hand the signed originals to the application. */
export interface EvidenceEffect {
  readonly kind: 'evidence';
  readonly evidence: Evidence;
}

/** Everything the core asks the host to do, in the order it must be done. */
export type Effect =
  | BroadcastEffect
  | ScheduleTimeoutEffect
  | RequestProposalEffect
  | ValidateProposalEffect
  | CommitEffect
  | EvidenceEffect;
