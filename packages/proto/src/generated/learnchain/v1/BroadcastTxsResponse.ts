// Original file: proto/learnchain/v1/validator.proto

import type { TxAdmission as _learnchain_v1_TxAdmission, TxAdmission__Output as _learnchain_v1_TxAdmission__Output } from '../../learnchain/v1/TxAdmission';

export interface BroadcastTxsResponse {
  /**
   * one per transaction, in the order given
   */
  'admissions'?: (_learnchain_v1_TxAdmission)[];
}

export interface BroadcastTxsResponse__Output {
  /**
   * one per transaction, in the order given
   */
  'admissions': (_learnchain_v1_TxAdmission__Output)[];
}
