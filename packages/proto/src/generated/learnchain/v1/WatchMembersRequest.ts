// Original file: proto/learnchain/v1/registry.proto

import type { Long } from '@grpc/proto-loader';

export interface WatchMembersRequest {
  /**
   * deliver changes with epoch > from_epoch
   */
  'fromEpoch'?: (number | string | Long);
}

export interface WatchMembersRequest__Output {
  /**
   * deliver changes with epoch > from_epoch
   */
  'fromEpoch': (number);
}
