// Original file: proto/learnchain/v1/registry.proto

import type { HeartbeatStreamOpen as _learnchain_v1_HeartbeatStreamOpen, HeartbeatStreamOpen__Output as _learnchain_v1_HeartbeatStreamOpen__Output } from '../../learnchain/v1/HeartbeatStreamOpen';
import type { HeartbeatBeat as _learnchain_v1_HeartbeatBeat, HeartbeatBeat__Output as _learnchain_v1_HeartbeatBeat__Output } from '../../learnchain/v1/HeartbeatBeat';

/**
 * What a node sends on HeartbeatStream: one Open first, then Beats.
 */
export interface HeartbeatStreamRequest {
  'open'?: (_learnchain_v1_HeartbeatStreamOpen | null);
  'beat'?: (_learnchain_v1_HeartbeatBeat | null);
  'body'?: "open"|"beat";
}

/**
 * What a node sends on HeartbeatStream: one Open first, then Beats.
 */
export interface HeartbeatStreamRequest__Output {
  'open'?: (_learnchain_v1_HeartbeatStreamOpen__Output | null);
  'beat'?: (_learnchain_v1_HeartbeatBeat__Output | null);
  'body'?: "open"|"beat";
}
