// Original file: proto/learnchain/v1/chain.proto

import type { Block as _learnchain_v1_Block, Block__Output as _learnchain_v1_Block__Output } from '../../learnchain/v1/Block';
import type { Signature as _learnchain_v1_Signature, Signature__Output as _learnchain_v1_Signature__Output } from '../../learnchain/v1/Signature';
import type { Long } from '@grpc/proto-loader';

/**
 * Signed statement: {chainId, height, round, blockHash, validRound}.
 */
export interface Proposal {
  'height'?: (number | string | Long);
  'round'?: (number);
  /**
   * -1 when none
   */
  'validRound'?: (number);
  'block'?: (_learnchain_v1_Block | null);
  'proposer'?: (string);
  'signature'?: (_learnchain_v1_Signature | null);
}

/**
 * Signed statement: {chainId, height, round, blockHash, validRound}.
 */
export interface Proposal__Output {
  'height': (number);
  'round': (number);
  /**
   * -1 when none
   */
  'validRound': (number);
  'block': (_learnchain_v1_Block__Output | null);
  'proposer': (string);
  'signature': (_learnchain_v1_Signature__Output | null);
}
