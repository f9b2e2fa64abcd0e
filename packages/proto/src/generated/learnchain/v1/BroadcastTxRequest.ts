// Original file: proto/learnchain/v1/validator.proto

import type { Tx as _learnchain_v1_Tx, Tx__Output as _learnchain_v1_Tx__Output } from '../../learnchain/v1/Tx';
import type { TxWait as _learnchain_v1_TxWait, TxWait__Output as _learnchain_v1_TxWait__Output } from '../../learnchain/v1/TxWait';

export interface BroadcastTxRequest {
  'tx'?: (_learnchain_v1_Tx | null);
  'wait'?: (_learnchain_v1_TxWait);
}

export interface BroadcastTxRequest__Output {
  'tx': (_learnchain_v1_Tx__Output | null);
  'wait': (_learnchain_v1_TxWait__Output);
}
