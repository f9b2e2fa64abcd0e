// Original file: proto/learnchain/v1/chain.proto

import type { DType as _learnchain_v1_DType, DType__Output as _learnchain_v1_DType__Output } from '../../learnchain/v1/DType';
import type { Signature as _learnchain_v1_Signature, Signature__Output as _learnchain_v1_Signature__Output } from '../../learnchain/v1/Signature';
import type { Long } from '@grpc/proto-loader';

/**
 * One trainer's update as the aggregator received it, with the trainer's
 * signature over {chainId, jobId, round, baseModelHash, updateHash}.
 */
export interface IncludedUpdate {
  'nodeId'?: (string);
  'updateHash'?: (Buffer | Uint8Array | string);
  'numSamples'?: (number | string | Long);
  'encoding'?: (_learnchain_v1_DType);
  'signature'?: (_learnchain_v1_Signature | null);
  /**
   * "selected", "trimmed", "down-weighted"
   */
  'decision'?: (string);
  'score'?: (number | string);
  /**
   * local training time, as the trainer reported it
   */
  'trainMicros'?: (number | string | Long);
  /**
   * when the aggregator held the whole update (its clock)
   */
  'receivedAtMs'?: (number | string | Long);
  /**
   * bytes of the encoded update
   */
  'size'?: (number | string | Long);
}

/**
 * One trainer's update as the aggregator received it, with the trainer's
 * signature over {chainId, jobId, round, baseModelHash, updateHash}.
 */
export interface IncludedUpdate__Output {
  'nodeId': (string);
  'updateHash': (Buffer);
  'numSamples': (number);
  'encoding': (_learnchain_v1_DType__Output);
  'signature': (_learnchain_v1_Signature__Output | null);
  /**
   * "selected", "trimmed", "down-weighted"
   */
  'decision': (string);
  'score': (number);
  /**
   * local training time, as the trainer reported it
   */
  'trainMicros': (number);
  /**
   * when the aggregator held the whole update (its clock)
   */
  'receivedAtMs': (number);
  /**
   * bytes of the encoded update
   */
  'size': (number);
}
