// Original file: proto/learnchain/v1/registry.proto

import type { Long } from '@grpc/proto-loader';

/**
 * "Still here." The sequence is the node's own, echoed in the answer.
 */
export interface HeartbeatBeat {
  'sequence'?: (number | string | Long);
}

/**
 * "Still here." The sequence is the node's own, echoed in the answer.
 */
export interface HeartbeatBeat__Output {
  'sequence': (number);
}
