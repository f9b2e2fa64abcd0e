// Original file: proto/learnchain/v1/registry.proto

import type { Signature as _learnchain_v1_Signature, Signature__Output as _learnchain_v1_Signature__Output } from '../../learnchain/v1/Signature';

/**
 * Signed statement: {chainId, nodeId, reason}.
 */
export interface LeaveRequest {
  'nodeId'?: (string);
  'reason'?: (string);
  'signature'?: (_learnchain_v1_Signature | null);
}

/**
 * Signed statement: {chainId, nodeId, reason}.
 */
export interface LeaveRequest__Output {
  'nodeId': (string);
  'reason': (string);
  'signature': (_learnchain_v1_Signature__Output | null);
}
