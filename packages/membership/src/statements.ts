/**
 * The statements a node signs to join, renew its lease and leave. Registry and
 * node build them from the same request fields, so a signature binds exactly
 * what was asked: the chain, the registry's fresh nonce, the declared role and
 * means, and for heartbeats a sequence that strictly grows.
 */
import type { Canonical } from '@learnchain/core';
import type { v1 } from '@learnchain/proto';

export type RoleName = 'trainer' | 'aggregator' | 'validator';

export const ROLES: Readonly<Record<RoleName, v1.Role__Output>> = {
  trainer: 'ROLE_TRAINER',
  aggregator: 'ROLE_AGGREGATOR',
  validator: 'ROLE_VALIDATOR',
};

export function roleName(role: v1.Role | null | undefined): RoleName | undefined {
  switch (role) {
    case 'ROLE_TRAINER':
    case 1:
      return 'trainer';
    case 'ROLE_AGGREGATOR':
    case 2:
      return 'aggregator';
    case 'ROLE_VALIDATOR':
    case 3:
      return 'validator';
    default:
      return undefined;
  }
}

/** A node's declared means, in the form that is signed and stored. */
export interface CapabilitiesStatement {
  readonly device: string;
  readonly memoryBytes: number;
  readonly datasetSize: number;
  readonly labels: Readonly<Record<string, string>>;
}

export function capabilitiesStatement(capabilities: v1.Capabilities | null | undefined): CapabilitiesStatement {
  return {
    device: capabilities?.device ?? '',
    memoryBytes: Number(capabilities?.memoryBytes ?? 0),
    datasetSize: Number(capabilities?.datasetSize ?? 0),
    labels: { ...(capabilities?.labels ?? {}) },
  };
}

export interface JoinFields {
  readonly chainId: string;
  readonly nonce: Uint8Array;
  readonly issuedAtMs: number;
  readonly expiresAtMs: number;
  readonly role: RoleName;
  readonly capabilities: CapabilitiesStatement;
  readonly endpoint: string;
}

export function joinStatement(fields: JoinFields): Canonical {
  return { ...fields, capabilities: { ...fields.capabilities, labels: { ...fields.capabilities.labels } } };
}

export function heartbeatStatement(fields: { chainId: string; nodeId: string; sequence: number }): Canonical {
  return { ...fields };
}

/**
 * What a node signs (domain 'heartbeat') to open a heartbeat stream: the nonce
 * the registry sent on that very stream, so the proof opens this stream only
 * and is worth nothing replayed on another. Its fields differ from the unary
 * heartbeat's, so neither signature can stand in for the other.
 */
export function heartbeatStreamStatement(fields: { chainId: string; nodeId: string; streamNonce: Uint8Array }): Canonical {
  return { chainId: fields.chainId, nodeId: fields.nodeId, streamNonce: fields.streamNonce };
}

export function leaveStatement(fields: { chainId: string; nodeId: string; reason: string }): Canonical {
  return { ...fields };
}
