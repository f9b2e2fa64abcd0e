/**
 * Data the consensus core speaks in. Everything here is plain, immutable data:
 * no signatures (the host signs and verifies), no clocks, no keys.
 */

/** An opaque block id chosen by the application (a hex hash in practice). */
export type ValueId = string;

/** A validator's address (its public key or a hash of it, as the host chooses). */
export type Address = string;

/** The two kinds of vote of Algorithm 1. */
export type VoteType = 'prevote' | 'precommit';

/** The step of the current round; `decided` waits for the host's next `start-height`. */
export type Step = 'idle' | 'propose' | 'prevote' | 'precommit' | 'decided';

/** The three timeouts of Algorithm 1. The host turns a kind and round into a duration. */
export type TimeoutKind = 'propose' | 'prevote' | 'precommit';

/** PROPOSAL(h, r, v, vr) of Algorithm 1, unsigned. `validRound` is -1 for a fresh value. */
export interface Proposal {
  readonly height: number;
  readonly round: number;
  readonly value: ValueId;
  readonly validRound: number;
  readonly proposer: Address;
}

/** PREVOTE / PRECOMMIT(h, r, id(v) or nil), unsigned. `value` null is nil. */
export interface Vote {
  readonly type: VoteType;
  readonly height: number;
  readonly round: number;
  readonly value: ValueId | null;
  readonly validator: Address;
}

/** A message validators exchange: what a `broadcast` effect carries. */
export type ConsensusMessage =
  | { readonly kind: 'proposal'; readonly proposal: Proposal }
  | { readonly kind: 'vote'; readonly vote: Vote };

/** A timeout the core asked for; it comes back as a `timeout-elapsed` input. */
export interface Timeout {
  readonly kind: TimeoutKind;
  readonly height: number;
  readonly round: number;
}

/** A change to the validator set carried by a committed block: power 0 removes the validator. */
export interface ValidatorUpdate {
  readonly address: Address;
  readonly power: number;
}

/** One member of a validator set. `priority` drives weighted round-robin proposer selection. */
export interface Validator {
  readonly address: Address;
  readonly power: number;
  readonly priority: number;
}

/** The validators of one height, ordered by address, with their total voting power. */
export interface ValidatorSet {
  readonly validators: readonly Validator[];
  readonly totalPower: number;
  readonly powers: ReadonlyMap<Address, number>;
}

/**
 * > 2/3 of the voting power of precommits for one value at one height and round:
 * the proof that the value is decided. Blocks carry the previous block's commit.
 */
export interface CommitCertificate<V extends Vote = Vote> {
  readonly height: number;
  readonly round: number;
  readonly value: ValueId;
  readonly precommits: readonly V[];
}

/** Misbehaviour the core saw: the host signs nothing here, it forwards the (already signed) originals. */
export type Evidence =
  | { readonly kind: 'duplicate-vote'; readonly first: Vote; readonly second: Vote }
  | { readonly kind: 'duplicate-proposal'; readonly first: Proposal; readonly second: Proposal };

/** The id of the nil value in tallies. */
export const NIL = '\u0000nil';

/** A tally key: the value id or {@link NIL}. */
export function valueKey(value: ValueId | null): string {
  return value === null ? NIL : value;
}
