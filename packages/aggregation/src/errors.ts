/** Base class of every error this package throws, so callers can catch them as one family. */
export abstract class AggregationError extends Error {
  override readonly name: string = 'AggregationError';
}

/**
 * Thrown when a rule is asked to run with a declared number of Byzantine updates `f` that its
 * guarantee does not cover for `n` updates (for example Bulyan with n < 4f + 3).
 */
export class ByzantineBudgetError extends AggregationError {
  override readonly name = 'ByzantineBudgetError';
  constructor(
    readonly rule: string,
    readonly n: number,
    readonly f: number,
    readonly requirement: string,
  ) {
    super(`${rule} tolerates f=${f} Byzantine updates only if ${requirement}; got n=${n}`);
  }
}

/**
 * Thrown when, after input hygiene rejected some updates, too few valid ones remain for the rule's
 * requirement with the declared `f`.
 */
export class InsufficientUpdatesError extends AggregationError {
  override readonly name = 'InsufficientUpdatesError';
  constructor(
    readonly rule: string,
    readonly valid: number,
    readonly rejected: number,
    readonly f: number,
    readonly requirement: string,
  ) {
    super(`${rule} with f=${f} needs ${requirement}; only ${valid} valid updates remain (${rejected} rejected)`);
  }
}

/** Thrown by `parseRule` (and by `aggregate` on a typed rule) when a field of a rule is missing or invalid. */
export class InvalidRuleError extends AggregationError {
  override readonly name = 'InvalidRuleError';
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`invalid aggregation rule: ${field}: ${reason}`);
  }
}

/**
 * Thrown when the call itself is malformed rather than one update: a weights array whose length
 * differs from the updates, no updates at all, or no agreed dimension among the updates.
 */
export class AggregationInputError extends AggregationError {
  override readonly name = 'AggregationInputError';
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`invalid aggregation input: ${field}: ${reason}`);
  }
}

/**
 * Thrown by an aggregation pool when it cannot run work: it was closed (`state` is `closed`), or
 * one of its worker threads failed or exited (`state` is `failed`; `reason` says how).
 */
export class AggregationPoolError extends AggregationError {
  override readonly name = 'AggregationPoolError';
  constructor(
    readonly state: 'closed' | 'failed',
    readonly reason: string,
  ) {
    super(`aggregation pool ${state}: ${reason}`);
  }
}
