// Original file: proto/learnchain/v1/aggregator.proto

import type { DType as _learnchain_v1_DType, DType__Output as _learnchain_v1_DType__Output } from '../../learnchain/v1/DType';
import type { Signature as _learnchain_v1_Signature, Signature__Output as _learnchain_v1_Signature__Output } from '../../learnchain/v1/Signature';
import type { TrainingStats as _learnchain_v1_TrainingStats, TrainingStats__Output as _learnchain_v1_TrainingStats__Output } from '../../learnchain/v1/TrainingStats';
import type { Long } from '@grpc/proto-loader';

/**
 * Signed statement (domain "update"): {chainId, jobId, round, baseModelHash,
 * updateHash, encoding, numSamples}; see packages/core/src/statements.ts.
 */
export interface UpdateHeader {
  'chainId'?: (string);
  'jobId'?: (string);
  'round'?: (number | string | Long);
  'baseModelHash'?: (Buffer | Uint8Array | string);
  /**
   * SHA-256 of the encoded update bytes
   */
  'updateHash'?: (Buffer | Uint8Array | string);
  /**
   * bytes that follow
   */
  'updateSize'?: (number | string | Long);
  'encoding'?: (_learnchain_v1_DType);
  'numSamples'?: (number | string | Long);
  'nodeId'?: (string);
  'signature'?: (_learnchain_v1_Signature | null);
  'stats'?: (_learnchain_v1_TrainingStats | null);
}

/**
 * Signed statement (domain "update"): {chainId, jobId, round, baseModelHash,
 * updateHash, encoding, numSamples}; see packages/core/src/statements.ts.
 */
export interface UpdateHeader__Output {
  'chainId': (string);
  'jobId': (string);
  'round': (number);
  'baseModelHash': (Buffer);
  /**
   * SHA-256 of the encoded update bytes
   */
  'updateHash': (Buffer);
  /**
   * bytes that follow
   */
  'updateSize': (number);
  'encoding': (_learnchain_v1_DType__Output);
  'numSamples': (number);
  'nodeId': (string);
  'signature': (_learnchain_v1_Signature__Output | null);
  'stats': (_learnchain_v1_TrainingStats__Output | null);
}
