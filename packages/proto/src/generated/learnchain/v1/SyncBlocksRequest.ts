// Original file: proto/learnchain/v1/consensus.proto

import type { Long } from '@grpc/proto-loader';

export interface SyncBlocksRequest {
  'fromHeight'?: (number | string | Long);
  /**
   * 0: up to the latest
   */
  'toHeight'?: (number | string | Long);
}

export interface SyncBlocksRequest__Output {
  'fromHeight': (number);
  /**
   * 0: up to the latest
   */
  'toHeight': (number);
}
