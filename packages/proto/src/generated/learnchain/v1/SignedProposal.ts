// Original file: proto/learnchain/v1/chain.proto

import type { Signature as _learnchain_v1_Signature, Signature__Output as _learnchain_v1_Signature__Output } from '../../learnchain/v1/Signature';
import type { Long } from '@grpc/proto-loader';

/**
 * A proposal without its block: what the proposer's signature covers
 * ({chainId, height, round, blockHash, validRound}) and who signed it.
 */
export interface SignedProposal {
  'height'?: (number | string | Long);
  'round'?: (number);
  /**
   * -1 when none
   */
  'validRound'?: (number);
  'blockHash'?: (Buffer | Uint8Array | string);
  /**
   * validator address (hex)
   */
  'proposer'?: (string);
  'signature'?: (_learnchain_v1_Signature | null);
}

/**
 * A proposal without its block: what the proposer's signature covers
 * ({chainId, height, round, blockHash, validRound}) and who signed it.
 */
export interface SignedProposal__Output {
  'height': (number);
  'round': (number);
  /**
   * -1 when none
   */
  'validRound': (number);
  'blockHash': (Buffer);
  /**
   * validator address (hex)
   */
  'proposer': (string);
  'signature': (_learnchain_v1_Signature__Output | null);
}
