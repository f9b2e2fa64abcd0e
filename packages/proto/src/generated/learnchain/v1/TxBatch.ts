// Original file: proto/learnchain/v1/consensus.proto

import type { Tx as _learnchain_v1_Tx, Tx__Output as _learnchain_v1_Tx__Output } from '../../learnchain/v1/Tx';

/**
 * Transactions a validator's mempool accepted, passed on so that whichever
 * validator proposes next can include them.
 */
export interface TxBatch {
  'txs'?: (_learnchain_v1_Tx)[];
}

/**
 * Transactions a validator's mempool accepted, passed on so that whichever
 * validator proposes next can include them.
 */
export interface TxBatch__Output {
  'txs': (_learnchain_v1_Tx__Output)[];
}
