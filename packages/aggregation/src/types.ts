/** One trainer's update: `id` is the content hash of the update and fixes the canonical order. */
export interface Update {
  readonly id: string;
  readonly values: Float32Array;
  /** Sample count behind the update; only `fedavg` weighs by it. Default 1. */
  readonly weight?: number;
}

/**
 * What happened to one update: `selected` (used as is), `down-weighted` (used with less than full
 * influence, e.g. clipped), `trimmed` (valid but left out by the robust rule), `rejected` (failed
 * input hygiene or the norm-bound pre-filter).
 */
export type DecisionStatus = 'selected' | 'down-weighted' | 'trimmed' | 'rejected';

/** The verdict on one update, as a round result records it. */
export interface Decision {
  readonly id: string;
  readonly status: DecisionStatus;
  /** The rule's score for the update (see each rule), or null when rejected before scoring. */
  readonly score: number | null;
  /** The update's share of the aggregate in [0, 1]; shares of all updates sum to 1 (0 when unused). */
  readonly weight: number;
  readonly reason: string;
}

/** The result of `aggregate`: the new vector and one decision per distinct update id, ordered by id. */
export interface AggregationResult {
  readonly aggregate: Float32Array;
  readonly decisions: readonly Decision[];
}

/** Options of `aggregate` that are not part of the rule. */
export interface AggregateOptions {
  /** Expected length of every update; when absent, the length most updates share (a tie is an error). */
  readonly dimension?: number;
}

/** What a rule reports about one of the valid updates it was given (canonical order). */
export interface Outcome {
  readonly status: Exclude<DecisionStatus, 'rejected'>;
  readonly score: number | null;
  readonly weight: number;
  readonly reason: string;
}

/** What a rule returns: the aggregate and one outcome per valid update, in the order given. */
export interface RuleResult {
  readonly aggregate: Float32Array;
  readonly outcomes: readonly Outcome[];
}
