// Original file: proto/learnchain/v1/chain.proto

import type { VoteType as _learnchain_v1_VoteType, VoteType__Output as _learnchain_v1_VoteType__Output } from '../../learnchain/v1/VoteType';
import type { Signature as _learnchain_v1_Signature, Signature__Output as _learnchain_v1_Signature__Output } from '../../learnchain/v1/Signature';
import type { Long } from '@grpc/proto-loader';

/**
 * Signed statement: {chainId, height, round, type, blockHash}.
 */
export interface Vote {
  'height'?: (number | string | Long);
  'round'?: (number);
  'type'?: (_learnchain_v1_VoteType);
  /**
   * empty: nil
   */
  'blockHash'?: (Buffer | Uint8Array | string);
  /**
   * validator address (hex)
   */
  'validator'?: (string);
  'signature'?: (_learnchain_v1_Signature | null);
}

/**
 * Signed statement: {chainId, height, round, type, blockHash}.
 */
export interface Vote__Output {
  'height': (number);
  'round': (number);
  'type': (_learnchain_v1_VoteType__Output);
  /**
   * empty: nil
   */
  'blockHash': (Buffer);
  /**
   * validator address (hex)
   */
  'validator': (string);
  'signature': (_learnchain_v1_Signature__Output | null);
}
