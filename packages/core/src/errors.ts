/**
 * Errors thrown by @learnchain/core. Each carries the context a caller needs to
 * report it precisely; none carries secrets.
 */

/** Base class: every error of this package is a CoreError. */
export class CoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A value cannot be put in canonical form (NaN, a non-plain object, a lone surrogate, ...). */
export class CanonicalEncodingError extends CoreError {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`cannot encode ${path || 'value'} canonically: ${reason}`);
  }
}

/** Bytes are not the canonical encoding of any value (truncated, unsorted keys, non-minimal lengths, ...). */
export class CanonicalDecodingError extends CoreError {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`not a canonical encoding at byte ${offset}: ${reason}`);
  }
}

/** A key file, key string or raw key has the wrong form. */
export class InvalidKeyError extends CoreError {
  constructor(
    readonly source: string,
    readonly reason: string,
  ) {
    super(`invalid ed25519 key from ${source}: ${reason}`);
  }
}

/** A configuration value is missing or malformed; names the variable and the flag. */
export class ConfigError extends CoreError {
  constructor(
    readonly variable: string,
    readonly flag: string | undefined,
    readonly reason: string,
  ) {
    super(`${variable}${flag ? ` (--${flag})` : ''}: ${reason}`);
  }
}

/** Command-line flags that no configuration field knows. */
export class UnknownFlagError extends CoreError {
  constructor(readonly flag: string) {
    super(`unknown flag --${flag}`);
  }
}

/** A server stream's client closed the call (cancelled, or went away) before it took the message being written. */
export class CallClosedError extends CoreError {
  constructor() {
    super('the call closed before the message was taken');
  }
}
