// Original file: proto/learnchain/v1/aggregator.proto

import type { Long } from '@grpc/proto-loader';

/**
 * A page of a job's rounds, in round order.
 */
export interface ListRoundsRequest {
  'jobId'?: (string);
  /**
   * The first round of the page (0: round 1).
   */
  'fromRound'?: (number | string | Long);
  /**
   * Rounds in the page (0: 100; at most 1000).
   */
  'limit'?: (number);
}

/**
 * A page of a job's rounds, in round order.
 */
export interface ListRoundsRequest__Output {
  'jobId': (string);
  /**
   * The first round of the page (0: round 1).
   */
  'fromRound': (number);
  /**
   * Rounds in the page (0: 100; at most 1000).
   */
  'limit': (number);
}
