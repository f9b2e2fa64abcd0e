// Original file: proto/learnchain/v1/common.proto

import type { TensorSpec as _learnchain_v1_TensorSpec, TensorSpec__Output as _learnchain_v1_TensorSpec__Output } from '../../learnchain/v1/TensorSpec';
import type { Long } from '@grpc/proto-loader';

/**
 * Names and shapes of a model's parameters, in the order they are flattened.
 */
export interface ParameterManifest {
  'tensors'?: (_learnchain_v1_TensorSpec)[];
  'totalElements'?: (number | string | Long);
}

/**
 * Names and shapes of a model's parameters, in the order they are flattened.
 */
export interface ParameterManifest__Output {
  'tensors': (_learnchain_v1_TensorSpec__Output)[];
  'totalElements': (number);
}
