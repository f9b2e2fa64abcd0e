/** The errors of the CLI's service clients. */

/** Which service a command talks to. */
export type ServiceKind = 'validator' | 'registry' | 'aggregator';

/** Thrown when a service does not answer at its address: the message names both. */
export class ServiceUnreachableError extends Error {
  constructor(
    readonly service: ServiceKind,
    readonly address: string,
    readonly detail: string,
  ) {
    super(`cannot reach ${service} at ${address}: ${detail}`);
  }
}

/** Thrown when a service answers with an error: the message names the call and the status. */
export class ServiceCallError extends Error {
  constructor(
    readonly service: ServiceKind,
    readonly address: string,
    readonly call: string,
    readonly detail: string,
  ) {
    super(`${service} at ${address} refused ${call}: ${detail}`);
  }
}

/** Thrown when a ledger path names nothing (QueryState NOT_FOUND). */
export class NotOnChainError extends Error {
  constructor(readonly path: string) {
    super(`nothing on chain at ${path}`);
  }
}

/** Thrown when a transaction was committed but the ledger refused it. */
export class TxRefusedError extends Error {
  constructor(
    readonly kind: string,
    readonly reason: string,
    readonly height: number,
  ) {
    super(`the ledger refused the ${kind} transaction at height ${height}: ${reason}`);
  }
}
