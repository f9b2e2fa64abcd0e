// Original file: proto/learnchain/v1/aggregator.proto

import type { Long } from '@grpc/proto-loader';

export interface GetRoundRequest {
  'jobId'?: (string);
  /**
   * 0: the current one
   */
  'round'?: (number | string | Long);
}

export interface GetRoundRequest__Output {
  'jobId': (string);
  /**
   * 0: the current one
   */
  'round': (number);
}
