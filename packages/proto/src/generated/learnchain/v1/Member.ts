// Original file: proto/learnchain/v1/registry.proto

import type { Role as _learnchain_v1_Role, Role__Output as _learnchain_v1_Role__Output } from '../../learnchain/v1/Role';
import type { Capabilities as _learnchain_v1_Capabilities, Capabilities__Output as _learnchain_v1_Capabilities__Output } from '../../learnchain/v1/Capabilities';
import type { MemberStatus as _learnchain_v1_MemberStatus, MemberStatus__Output as _learnchain_v1_MemberStatus__Output } from '../../learnchain/v1/MemberStatus';
import type { Long } from '@grpc/proto-loader';

export interface Member {
  /**
   * hex, first 20 bytes of SHA-256(public key)
   */
  'nodeId'?: (string);
  'publicKey'?: (Buffer | Uint8Array | string);
  'role'?: (_learnchain_v1_Role);
  'capabilities'?: (_learnchain_v1_Capabilities | null);
  'status'?: (_learnchain_v1_MemberStatus);
  'joinedEpoch'?: (number | string | Long);
  'leaseExpiresAtMs'?: (number | string | Long);
  /**
   * where the node serves gRPC, if it does
   */
  'endpoint'?: (string);
}

export interface Member__Output {
  /**
   * hex, first 20 bytes of SHA-256(public key)
   */
  'nodeId': (string);
  'publicKey': (Buffer);
  'role': (_learnchain_v1_Role__Output);
  'capabilities': (_learnchain_v1_Capabilities__Output | null);
  'status': (_learnchain_v1_MemberStatus__Output);
  'joinedEpoch': (number);
  'leaseExpiresAtMs': (number);
  /**
   * where the node serves gRPC, if it does
   */
  'endpoint': (string);
}
