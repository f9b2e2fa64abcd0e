// Original file: proto/learnchain/v1/common.proto

import type { Long } from '@grpc/proto-loader';

/**
 * A node's declared means, used for admission and round sampling.
 */
export interface Capabilities {
  /**
   * "cpu", "cuda:0", ...
   */
  'device'?: (string);
  'memoryBytes'?: (number | string | Long);
  /**
   * samples held (trainers)
   */
  'datasetSize'?: (number | string | Long);
  'labels'?: ({[key: string]: string});
}

/**
 * A node's declared means, used for admission and round sampling.
 */
export interface Capabilities__Output {
  /**
   * "cpu", "cuda:0", ...
   */
  'device': (string);
  'memoryBytes': (number);
  /**
   * samples held (trainers)
   */
  'datasetSize': (number);
  'labels': ({[key: string]: string});
}
