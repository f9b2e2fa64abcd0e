// Original file: proto/learnchain/v1/registry.proto

import type { HeartbeatStreamChallenge as _learnchain_v1_HeartbeatStreamChallenge, HeartbeatStreamChallenge__Output as _learnchain_v1_HeartbeatStreamChallenge__Output } from '../../learnchain/v1/HeartbeatStreamChallenge';
import type { LeaseState as _learnchain_v1_LeaseState, LeaseState__Output as _learnchain_v1_LeaseState__Output } from '../../learnchain/v1/LeaseState';

/**
 * What the registry sends on HeartbeatStream: one Challenge first, then a
 * LeaseState answering the Open and each Beat.
 */
export interface HeartbeatStreamResponse {
  'challenge'?: (_learnchain_v1_HeartbeatStreamChallenge | null);
  'lease'?: (_learnchain_v1_LeaseState | null);
  'body'?: "challenge"|"lease";
}

/**
 * What the registry sends on HeartbeatStream: one Challenge first, then a
 * LeaseState answering the Open and each Beat.
 */
export interface HeartbeatStreamResponse__Output {
  'challenge'?: (_learnchain_v1_HeartbeatStreamChallenge__Output | null);
  'lease'?: (_learnchain_v1_LeaseState__Output | null);
  'body'?: "challenge"|"lease";
}
