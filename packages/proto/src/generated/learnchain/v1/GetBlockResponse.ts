// Original file: proto/learnchain/v1/validator.proto

import type { Block as _learnchain_v1_Block, Block__Output as _learnchain_v1_Block__Output } from '../../learnchain/v1/Block';
import type { Commit as _learnchain_v1_Commit, Commit__Output as _learnchain_v1_Commit__Output } from '../../learnchain/v1/Commit';
import type { TxOutcome as _learnchain_v1_TxOutcome, TxOutcome__Output as _learnchain_v1_TxOutcome__Output } from '../../learnchain/v1/TxOutcome';

export interface GetBlockResponse {
  'block'?: (_learnchain_v1_Block | null);
  'blockHash'?: (Buffer | Uint8Array | string);
  /**
   * the commit certifying this block
   */
  'commit'?: (_learnchain_v1_Commit | null);
  'outcomes'?: (_learnchain_v1_TxOutcome)[];
}

export interface GetBlockResponse__Output {
  'block': (_learnchain_v1_Block__Output | null);
  'blockHash': (Buffer);
  /**
   * the commit certifying this block
   */
  'commit': (_learnchain_v1_Commit__Output | null);
  'outcomes': (_learnchain_v1_TxOutcome__Output)[];
}
