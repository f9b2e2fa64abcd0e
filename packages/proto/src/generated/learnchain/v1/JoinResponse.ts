// Original file: proto/learnchain/v1/registry.proto

import type { Long } from '@grpc/proto-loader';

export interface JoinResponse {
  'nodeId'?: (string);
  'epoch'?: (number | string | Long);
  'leaseTtlMs'?: (number | string | Long);
  'leaseExpiresAtMs'?: (number | string | Long);
}

export interface JoinResponse__Output {
  'nodeId': (string);
  'epoch': (number);
  'leaseTtlMs': (number);
  'leaseExpiresAtMs': (number);
}
