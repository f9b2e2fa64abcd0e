// Original file: proto/learnchain/v1/chain.proto

import type { Long } from '@grpc/proto-loader';

export interface RoundMetrics {
  'validationLoss'?: (number | string);
  'validationAccuracy'?: (number | string);
  'baseLoss'?: (number | string);
  'aggregationMicros'?: (number | string | Long);
  'updateBytes'?: (number | string | Long);
  /**
   * when the attempt that produced this result opened (aggregator's clock)
   */
  'openedAtMs'?: (number | string | Long);
  /**
   * when it closed and aggregation began (aggregator's clock)
   */
  'closedAtMs'?: (number | string | Long);
  /**
   * When the aggregator learnt that the round this one's base model came from
   * was committed (its clock; 0 for round 1). With pipelined rounds this one
   * opened before that.
   */
  'baseCommittedAtMs'?: (number | string | Long);
}

export interface RoundMetrics__Output {
  'validationLoss': (number);
  'validationAccuracy': (number);
  'baseLoss': (number);
  'aggregationMicros': (number);
  'updateBytes': (number);
  /**
   * when the attempt that produced this result opened (aggregator's clock)
   */
  'openedAtMs': (number);
  /**
   * when it closed and aggregation began (aggregator's clock)
   */
  'closedAtMs': (number);
  /**
   * When the aggregator learnt that the round this one's base model came from
   * was committed (its clock; 0 for round 1). With pipelined rounds this one
   * opened before that.
   */
  'baseCommittedAtMs': (number);
}
