// Original file: proto/learnchain/v1/chain.proto

import type { Long } from '@grpc/proto-loader';

export interface NodeLeft {
  'nodeId'?: (string);
  'epoch'?: (number | string | Long);
  /**
   * "left" or "failed: ..."
   */
  'reason'?: (string);
}

export interface NodeLeft__Output {
  'nodeId': (string);
  'epoch': (number);
  /**
   * "left" or "failed: ..."
   */
  'reason': (string);
}
