// Original file: proto/learnchain/v1/validator.proto

import type { Long } from '@grpc/proto-loader';

export interface WatchBlocksRequest {
  'fromHeight'?: (number | string | Long);
}

export interface WatchBlocksRequest__Output {
  'fromHeight': (number);
}
