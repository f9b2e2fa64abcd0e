/** Errors of @learnchain/ledger. */

/** Base class: every error of this package is a LedgerError. */
export class LedgerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * Thrown by `decodeTx` / `txFromWire` when a transaction cannot be a valid
 * transaction whatever the state: malformed, unsigned, wrong chain, unknown type,
 * too large. `field` names the offending field, `reason` is a stable identifier.
 */
export class TxFormatError extends LedgerError {
  constructor(
    readonly field: string,
    readonly reason: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** Thrown by `parseGenesis` when a genesis document is not usable; `field` names what is wrong. */
export class GenesisError extends LedgerError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`genesis ${field}: ${message}`);
  }
}

/** Thrown by `LedgerState.query` for a path the state does not know. */
export class UnknownPathError extends LedgerError {
  constructor(readonly path: string) {
    super(`no state at ${JSON.stringify(path)}`);
  }
}

/**
 * Thrown by `LedgerState.get` for an archived record (a round's record):
 * execution may not read one, since a validator holds it in memory only until
 * it is stored; QueryState reads it from the store.
 */
export class ArchivedRecordError extends LedgerError {
  constructor(readonly key: string) {
    super(`state key ${JSON.stringify(key)} is an archived record: execution may not read it, QueryState reads it from the store`);
  }
}

/** Thrown by a `BlobSource` when a blob cannot be read or its bytes do not hash to its name. */
export class BlobUnavailableError extends LedgerError {
  constructor(
    readonly hash: string,
    readonly reason: string,
  ) {
    super(`blob ${hash}: ${reason}`);
  }
}
