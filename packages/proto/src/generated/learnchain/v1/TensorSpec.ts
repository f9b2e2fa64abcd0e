// Original file: proto/learnchain/v1/common.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Shape and type of one named tensor inside a flat parameter vector.
 */
export interface TensorSpec {
  'name'?: (string);
  'shape'?: (number)[];
  /**
   * element offset in the flat vector
   */
  'offset'?: (number | string | Long);
}

/**
 * Shape and type of one named tensor inside a flat parameter vector.
 */
export interface TensorSpec__Output {
  'name': (string);
  'shape': (number)[];
  /**
   * element offset in the flat vector
   */
  'offset': (number);
}
