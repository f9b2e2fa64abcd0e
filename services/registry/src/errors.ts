/**
 * Errors of the registry's domain. The gRPC layer maps each to a status
 * (see grpc.ts): the caller learns what to do, nothing more.
 */

export class RegistryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A join proof that does not hold: wrong chain, expired or forged challenge, bad signature, replayed nonce. */
export class JoinProofError extends RegistryError {
  constructor(
    readonly reason: 'wrong_chain' | 'stale_challenge' | 'forged_challenge' | 'bad_signature' | 'replayed_challenge',
    detail: string,
  ) {
    super(detail);
  }
}

/** The admission policy refuses this node. */
export class AdmissionRefusedError extends RegistryError {
  constructor(
    readonly nodeId: string,
    readonly policy: string,
    detail: string,
  ) {
    super(`node ${nodeId} is not admitted by the ${policy} policy: ${detail}`);
  }
}

/** No member with this id was ever admitted. */
export class UnknownMemberError extends RegistryError {
  constructor(readonly nodeId: string) {
    super(`no member ${nodeId}: join first`);
  }
}

/** The member exists but holds no live lease (it left, failed, or its lease lapsed): it must join again. */
export class LeaseLostError extends RegistryError {
  constructor(
    readonly nodeId: string,
    readonly status: string,
  ) {
    super(`member ${nodeId} holds no lease (${status}): join again`);
  }
}

/** A heartbeat's sequence does not exceed the last one accepted: a replay, or a clock that went back. */
export class StaleHeartbeatError extends RegistryError {
  constructor(
    readonly nodeId: string,
    readonly sequence: number,
    readonly last: number,
  ) {
    super(`heartbeat ${sequence} of ${nodeId} is not after ${last}`);
  }
}

/** The signature does not verify against the member's registered key. */
export class BadSignatureError extends RegistryError {
  constructor(
    readonly nodeId: string,
    readonly request: string,
  ) {
    super(`${request} of ${nodeId} is not signed by its key`);
  }
}

/** A newer heartbeat stream of the same member opened on this replica; the older one ends. */
export class StreamSupersededError extends RegistryError {
  constructor(readonly nodeId: string) {
    super(`a newer heartbeat stream of ${nodeId} replaced this one`);
  }
}

/** A later page of a List asked for the members at an epoch the membership has moved on from. */
export class MembershipChangedError extends RegistryError {
  constructor(
    readonly atEpoch: number,
    readonly epoch: number,
  ) {
    super(`the membership changed since the list's first page (epoch ${atEpoch}, now ${epoch}): list again from the first page`);
  }
}

/** Watch asked for changes from an epoch whose changes were deleted (store/departed.ts). */
export class ChangesCompactedError extends RegistryError {
  constructor(
    readonly fromEpoch: number,
    readonly compactedEpoch: number,
  ) {
    super(`changes up to epoch ${compactedEpoch} are no longer kept, so a watch cannot start from epoch ${fromEpoch}: List the members, then Watch from the epoch List answers`);
  }
}
