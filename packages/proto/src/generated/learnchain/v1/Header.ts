// Original file: proto/learnchain/v1/chain.proto

import type { ValidatorUpdate as _learnchain_v1_ValidatorUpdate, ValidatorUpdate__Output as _learnchain_v1_ValidatorUpdate__Output } from '../../learnchain/v1/ValidatorUpdate';
import type { Long } from '@grpc/proto-loader';

export interface Header {
  'chainId'?: (string);
  'height'?: (number | string | Long);
  'timeMs'?: (number | string | Long);
  'previousBlockHash'?: (Buffer | Uint8Array | string);
  'lastCommitHash'?: (Buffer | Uint8Array | string);
  /**
   * over the transactions
   */
  'dataHash'?: (Buffer | Uint8Array | string);
  /**
   * the set that signs this height
   */
  'validatorsHash'?: (Buffer | Uint8Array | string);
  'nextValidatorsHash'?: (Buffer | Uint8Array | string);
  /**
   * ledger state after the previous block
   */
  'appHash'?: (Buffer | Uint8Array | string);
  'proposer'?: (string);
  /**
   * The validator-set changes produced by executing the previous block; they
   * take effect at height + 1 (two heights after the block that caused them).
   */
  'lastValidatorUpdates'?: (_learnchain_v1_ValidatorUpdate)[];
}

export interface Header__Output {
  'chainId': (string);
  'height': (number);
  'timeMs': (number);
  'previousBlockHash': (Buffer);
  'lastCommitHash': (Buffer);
  /**
   * over the transactions
   */
  'dataHash': (Buffer);
  /**
   * the set that signs this height
   */
  'validatorsHash': (Buffer);
  'nextValidatorsHash': (Buffer);
  /**
   * ledger state after the previous block
   */
  'appHash': (Buffer);
  'proposer': (string);
  /**
   * The validator-set changes produced by executing the previous block; they
   * take effect at height + 1 (two heights after the block that caused them).
   */
  'lastValidatorUpdates': (_learnchain_v1_ValidatorUpdate__Output)[];
}
