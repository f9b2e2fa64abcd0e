// Original file: proto/learnchain/v1/aggregator.proto

import type { Long } from '@grpc/proto-loader';

export interface PutBlobResponse {
  'hash'?: (Buffer | Uint8Array | string);
  'size'?: (number | string | Long);
}

export interface PutBlobResponse__Output {
  'hash': (Buffer);
  'size': (number);
}
