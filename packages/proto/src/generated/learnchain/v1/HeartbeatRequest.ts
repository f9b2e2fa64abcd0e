// Original file: proto/learnchain/v1/registry.proto

import type { Signature as _learnchain_v1_Signature, Signature__Output as _learnchain_v1_Signature__Output } from '../../learnchain/v1/Signature';
import type { Long } from '@grpc/proto-loader';

/**
 * Signed statement: {chainId, nodeId, sequence}. The sequence strictly grows
 * for each node, so a replayed heartbeat is refused.
 */
export interface HeartbeatRequest {
  'nodeId'?: (string);
  'sequence'?: (number | string | Long);
  'signature'?: (_learnchain_v1_Signature | null);
}

/**
 * Signed statement: {chainId, nodeId, sequence}. The sequence strictly grows
 * for each node, so a replayed heartbeat is refused.
 */
export interface HeartbeatRequest__Output {
  'nodeId': (string);
  'sequence': (number);
  'signature': (_learnchain_v1_Signature__Output | null);
}
