// Original file: proto/learnchain/v1/validator.proto

import type { Tx as _learnchain_v1_Tx, Tx__Output as _learnchain_v1_Tx__Output } from '../../learnchain/v1/Tx';

export interface BroadcastTxsRequest {
  'txs'?: (_learnchain_v1_Tx)[];
}

export interface BroadcastTxsRequest__Output {
  'txs': (_learnchain_v1_Tx__Output)[];
}
