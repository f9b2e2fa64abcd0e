// Original file: proto/learnchain/v1/registry.proto

import type { Long } from '@grpc/proto-loader';

export interface HeartbeatResponse {
  'epoch'?: (number | string | Long);
  'leaseExpiresAtMs'?: (number | string | Long);
}

export interface HeartbeatResponse__Output {
  'epoch': (number);
  'leaseExpiresAtMs': (number);
}
