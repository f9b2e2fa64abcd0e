// Original file: proto/learnchain/v1/aggregator.proto

import type { Long } from '@grpc/proto-loader';

export interface TrainingStats {
  'trainLoss'?: (number | string);
  'trainMicros'?: (number | string | Long);
  /**
   * differential privacy, when enabled
   */
  'epsilonSpent'?: (number | string);
}

export interface TrainingStats__Output {
  'trainLoss': (number);
  'trainMicros': (number);
  /**
   * differential privacy, when enabled
   */
  'epsilonSpent': (number);
}
