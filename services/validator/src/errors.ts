/** Errors of the validator service. */

export class ValidatorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Thrown by the mempool when it holds its limit of transactions (RESOURCE_EXHAUSTED). */
export class MempoolFullError extends ValidatorError {
  constructor(readonly limit: number) {
    super(`the mempool holds its limit of ${limit} transactions`);
  }
}

/** Thrown by the mempool for a transaction the committed state refuses outright (nonce or authority). */
export class TxRefusedError extends ValidatorError {
  constructor(
    readonly reason: string,
    readonly field: string,
    /** The machine-readable reason in the gRPC error detail. */
    readonly code: string = 'replay',
  ) {
    super(reason);
  }
}

/**
 * Thrown by the signer when the core asks for a vote or proposal that conflicts
 * with one this validator already signed (the write-ahead log knows it).
 */
export class DoubleSignError extends ValidatorError {
  constructor(readonly key: string) {
    super(`refusing to sign a second, different message for ${key}`);
  }
}

/** Thrown at start-up when the write-ahead log cannot be read or written. */
export class WalError extends ValidatorError {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`write-ahead log ${path}: ${reason}`);
  }
}

/** Thrown when the configuration names no key or no genesis, or they do not fit together. */
export class SetupError extends ValidatorError {}

/** Fails an evaluation in flight when the evaluation thread dies or is closed. */
export class EvaluationThreadError extends ValidatorError {}
