/**
 * The Registry gRPC service: checks the shape of each request (INVALID_ARGUMENT
 * names the field), hands it to the domain, and maps domain errors to statuses.
 */
import { status, type UntypedServiceImplementation } from '@grpc/grpc-js';

import {
  failedPrecondition,
  HandlerFactory,
  invalidArgument,
  isPublicKey,
  notFound,
  permissionDenied,
  StatusError,
  unauthenticated,
  writeMessage,
  type Logger,
} from '@learnchain/core';
import { capabilitiesStatement, roleName, ROLES } from '@learnchain/membership';
import { SERVICE_NAMES, type v1 } from '@learnchain/proto';

import { checkCapabilities } from './domain/capabilities';
import { AdmissionRefusedError, BadSignatureError, ChangesCompactedError, JoinProofError, LeaseLostError, MembershipChangedError, StaleHeartbeatError, StreamSupersededError, UnknownMemberError } from './errors';
import { heartbeatStream } from './lease-stream';
import type { Registry } from './registry';
import type { MemberStatusName } from './store/schema';
import type { ChangeRecord, MemberRecord } from './store/members';

const NODE_ID = /^[0-9a-f]{40}$/;
const MAX_REASON = 256;
/** Members in a List page when the request names no limit, and the most it may name. */
const LIST_PAGE = 1000;
const MAX_LIST_PAGE = 5000;

const STATUS_TO_WIRE: Record<MemberStatusName, v1.MemberStatus__Output> = {
  active: 'MEMBER_STATUS_ACTIVE',
  left: 'MEMBER_STATUS_LEFT',
  failed: 'MEMBER_STATUS_FAILED',
};

function statusFromWire(value: v1.MemberStatus | undefined): MemberStatusName | undefined | 'invalid' {
  switch (value) {
    case undefined:
    case 'MEMBER_STATUS_UNSPECIFIED':
    case 0:
      return undefined;
    case 'MEMBER_STATUS_ACTIVE':
    case 1:
      return 'active';
    case 'MEMBER_STATUS_LEFT':
    case 2:
      return 'left';
    case 'MEMBER_STATUS_FAILED':
    case 3:
      return 'failed';
    default:
      return 'invalid';
  }
}

export function memberToWire(member: MemberRecord): v1.Member {
  return {
    nodeId: member.nodeId,
    publicKey: Buffer.from(member.publicKey),
    role: ROLES[member.role],
    capabilities: { ...member.capabilities, labels: { ...member.capabilities.labels } },
    status: STATUS_TO_WIRE[member.status],
    joinedEpoch: member.joinedEpoch,
    leaseExpiresAtMs: member.leaseExpiresAtMs,
    endpoint: member.endpoint,
  };
}

export function changeToWire(change: ChangeRecord): v1.MembershipChange {
  return {
    epoch: change.epoch,
    member: memberToWire(change.member),
    previousStatus: change.previousStatus ? STATUS_TO_WIRE[change.previousStatus] : 'MEMBER_STATUS_UNSPECIFIED',
    reason: change.reason,
  };
}

/** The signature block every signed request carries. */
export function signatureOf(signature: v1.Signature__Output | null): { publicKey: Uint8Array; signature: Uint8Array } {
  if (!signature) throw invalidArgument('signature', 'is required', 'missing');
  if (signature.publicKey.length !== 32) throw invalidArgument('signature.public_key', 'must be a 32-byte ed25519 key', 'bad_key');
  if (signature.signature.length !== 64) throw invalidArgument('signature.signature', 'must be a 64-byte ed25519 signature', 'bad_signature');
  return { publicKey: new Uint8Array(signature.publicKey), signature: new Uint8Array(signature.signature) };
}

export function nodeIdOf(nodeId: string): string {
  if (!NODE_ID.test(nodeId)) throw invalidArgument('node_id', 'must be 40 lower-case hex characters', 'bad_node_id');
  return nodeId;
}

/** Domain errors as the caller should see them. */
export function toStatus(error: unknown): unknown {
  if (error instanceof JoinProofError) return unauthenticated(error.message, error.reason, 'challenge');
  if (error instanceof BadSignatureError) return unauthenticated(error.message, 'bad_signature', 'signature');
  if (error instanceof StaleHeartbeatError) return unauthenticated(error.message, 'stale_sequence', 'sequence');
  if (error instanceof AdmissionRefusedError) return permissionDenied(error.message, 'not_admitted');
  if (error instanceof UnknownMemberError) return notFound('member', error.nodeId, 'node_id');
  if (error instanceof LeaseLostError) return failedPrecondition(error.message, 'rejoin', 'node_id');
  if (error instanceof ChangesCompactedError) return failedPrecondition(error.message, 'compacted', 'from_epoch');
  if (error instanceof StreamSupersededError) return new StatusError(status.ABORTED, { field: '', reason: 'superseded', message: error.message });
  if (error instanceof MembershipChangedError) return new StatusError(status.ABORTED, { field: 'at_epoch', reason: 'membership_changed', message: error.message });
  return error;
}

async function mapped<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toStatus(error);
  }
}

export function registryService(registry: Registry, logger: Logger): UntypedServiceImplementation {
  const h = new HandlerFactory(logger, SERVICE_NAMES.registry);
  return {
    GetChallenge: h.unary('GetChallenge', async (request: v1.GetChallengeRequest__Output): Promise<v1.Challenge> => {
      if (!isPublicKey(new Uint8Array(request.publicKey))) throw invalidArgument('public_key', 'must be a 32-byte ed25519 public key', 'bad_key');
      const challenge = registry.getChallenge(new Uint8Array(request.publicKey));
      return { ...challenge, nonce: Buffer.from(challenge.nonce) };
    }),

    Join: h.unary('Join', async (request: v1.JoinRequest__Output): Promise<v1.JoinResponse> => {
      const challenge = request.challenge;
      if (!challenge) throw invalidArgument('challenge', 'is required: call GetChallenge first', 'missing');
      const role = roleName(request.role);
      if (!role) throw invalidArgument('role', `unknown role ${JSON.stringify(request.role)}: expected trainer, aggregator or validator`, 'unknown_role');
      const capabilities = capabilitiesStatement(request.capabilities);
      const problem = checkCapabilities(capabilities, request.endpoint);
      if (problem) throw invalidArgument(problem.field, problem.reason, 'too_large');
      const signed = signatureOf(request.signature);
      if (!isPublicKey(signed.publicKey)) throw invalidArgument('signature.public_key', 'is not an ed25519 public key', 'bad_key');
      const change = await mapped(() =>
        registry.join({
          challenge: { chainId: challenge.chainId, nonce: new Uint8Array(challenge.nonce), issuedAtMs: challenge.issuedAtMs, expiresAtMs: challenge.expiresAtMs },
          publicKey: signed.publicKey,
          signature: signed.signature,
          role,
          capabilities,
          endpoint: request.endpoint,
        }),
      );
      return { nodeId: change.member.nodeId, epoch: change.epoch, leaseTtlMs: registry.leaseTtlMs, leaseExpiresAtMs: change.member.leaseExpiresAtMs };
    }),

    Heartbeat: h.unary('Heartbeat', async (request: v1.HeartbeatRequest__Output): Promise<v1.HeartbeatResponse> => {
      const nodeId = nodeIdOf(request.nodeId);
      if (!Number.isSafeInteger(request.sequence) || request.sequence <= 0) throw invalidArgument('sequence', 'must be a positive integer', 'bad_sequence');
      const signed = signatureOf(request.signature);
      return mapped(() => registry.heartbeat({ nodeId, sequence: request.sequence, ...signed }));
    }),

    HeartbeatStream: heartbeatStream(registry, logger),

    Leave: h.unary('Leave', async (request: v1.LeaveRequest__Output): Promise<v1.LeaveResponse> => {
      const nodeId = nodeIdOf(request.nodeId);
      if (request.reason.length > MAX_REASON) throw invalidArgument('reason', `longer than ${MAX_REASON} characters`, 'too_large');
      const signed = signatureOf(request.signature);
      const change = await mapped(() => registry.leave({ nodeId, reason: request.reason, ...signed }));
      return { epoch: change.epoch };
    }),

    List: h.unary('List', async (request: v1.ListMembersRequest__Output): Promise<v1.ListMembersResponse> => {
      const role = request.role === 'ROLE_UNSPECIFIED' ? undefined : roleName(request.role);
      if (request.role !== 'ROLE_UNSPECIFIED' && !role) throw invalidArgument('role', 'unknown role', 'unknown_role');
      const status = statusFromWire(request.status);
      if (status === 'invalid') throw invalidArgument('status', 'unknown member status', 'unknown_status');
      if (request.limit > MAX_LIST_PAGE) throw invalidArgument('limit', `at most ${MAX_LIST_PAGE} members a page`, 'too_large');
      const page = { limit: request.limit || LIST_PAGE, ...(request.afterNodeId ? { afterNodeId: request.afterNodeId } : {}), ...(request.atEpoch > 0 ? { atEpoch: request.atEpoch } : {}) };
      const { epoch, members, next } = await mapped(() => registry.list({ ...(role ? { role } : {}), ...(status ? { status } : {}) }, page));
      return { epoch, members: members.map(memberToWire), nextAfterNodeId: next };
    }),

    Watch: h.serverStream('Watch', async (request: v1.WatchMembersRequest__Output, call, signal) => {
      if (!Number.isSafeInteger(request.fromEpoch) || request.fromEpoch < 0) throw invalidArgument('from_epoch', 'must be a non-negative integer', 'bad_epoch');
      await mapped(async () => {
        for await (const change of registry.watch(request.fromEpoch, signal)) await writeMessage(call, changeToWire(change));
      });
    }),
  };
}
