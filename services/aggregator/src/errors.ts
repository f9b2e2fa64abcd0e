/** The aggregator's errors: small, named, with the context a caller or a log needs. */

/** Thrown when bytes do not hash to the content id they were stored or announced under. */
export class BlobHashMismatchError extends Error {
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`blob hashes to ${actual}, expected ${expected}`);
    this.name = 'BlobHashMismatchError';
  }
}

/** Thrown when a blob is asked for by a hash the store does not hold. */
export class BlobNotFoundError extends Error {
  constructor(readonly hash: string) {
    super(`blob ${hash} not found`);
    this.name = 'BlobNotFoundError';
  }
}

/** Thrown when the ledger's description of a job cannot be read as one. */
export class JobFormatError extends Error {
  constructor(
    readonly jobId: string,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`job ${jobId}: ${field} ${reason}`);
    this.name = 'JobFormatError';
  }
}
