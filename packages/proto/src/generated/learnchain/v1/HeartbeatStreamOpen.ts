// Original file: proto/learnchain/v1/registry.proto

import type { Signature as _learnchain_v1_Signature, Signature__Output as _learnchain_v1_Signature__Output } from '../../learnchain/v1/Signature';

/**
 * Signed statement: {chainId, nodeId, streamNonce}, over the nonce this stream
 * was opened with, so the proof is good for this one stream only.
 */
export interface HeartbeatStreamOpen {
  'nodeId'?: (string);
  'signature'?: (_learnchain_v1_Signature | null);
}

/**
 * Signed statement: {chainId, nodeId, streamNonce}, over the nonce this stream
 * was opened with, so the proof is good for this one stream only.
 */
export interface HeartbeatStreamOpen__Output {
  'nodeId': (string);
  'signature': (_learnchain_v1_Signature__Output | null);
}
