// Original file: proto/learnchain/v1/registry.proto

import type { Challenge as _learnchain_v1_Challenge, Challenge__Output as _learnchain_v1_Challenge__Output } from '../../learnchain/v1/Challenge';
import type { Role as _learnchain_v1_Role, Role__Output as _learnchain_v1_Role__Output } from '../../learnchain/v1/Role';
import type { Capabilities as _learnchain_v1_Capabilities, Capabilities__Output as _learnchain_v1_Capabilities__Output } from '../../learnchain/v1/Capabilities';
import type { Signature as _learnchain_v1_Signature, Signature__Output as _learnchain_v1_Signature__Output } from '../../learnchain/v1/Signature';

/**
 * Signed statement: {chainId, nonce, issuedAtMs, role, capabilities, endpoint}.
 */
export interface JoinRequest {
  'challenge'?: (_learnchain_v1_Challenge | null);
  'role'?: (_learnchain_v1_Role);
  'capabilities'?: (_learnchain_v1_Capabilities | null);
  'endpoint'?: (string);
  'signature'?: (_learnchain_v1_Signature | null);
}

/**
 * Signed statement: {chainId, nonce, issuedAtMs, role, capabilities, endpoint}.
 */
export interface JoinRequest__Output {
  'challenge': (_learnchain_v1_Challenge__Output | null);
  'role': (_learnchain_v1_Role__Output);
  'capabilities': (_learnchain_v1_Capabilities__Output | null);
  'endpoint': (string);
  'signature': (_learnchain_v1_Signature__Output | null);
}
