// Original file: proto/learnchain/v1/validator.proto

import type { Long } from '@grpc/proto-loader';

export interface GetBlockRequest {
  /**
   * 0: the latest
   */
  'height'?: (number | string | Long);
}

export interface GetBlockRequest__Output {
  /**
   * 0: the latest
   */
  'height': (number);
}
