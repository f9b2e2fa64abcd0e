// Original file: proto/learnchain/v1/validator.proto

import type { ErrorDetail as _learnchain_v1_ErrorDetail, ErrorDetail__Output as _learnchain_v1_ErrorDetail__Output } from '../../learnchain/v1/ErrorDetail';

export interface TxAdmission {
  /**
   * empty when the transaction could not be decoded
   */
  'txHash'?: (Buffer | Uint8Array | string);
  /**
   * in this validator's mempool (taken now or before)
   */
  'queued'?: (boolean);
  /**
   * when not queued: the gRPC status BroadcastTx would answer
   */
  'code'?: (number);
  /**
   * when not queued: the field (txs[i]...), a stable reason, why
   */
  'error'?: (_learnchain_v1_ErrorDetail | null);
}

export interface TxAdmission__Output {
  /**
   * empty when the transaction could not be decoded
   */
  'txHash': (Buffer);
  /**
   * in this validator's mempool (taken now or before)
   */
  'queued': (boolean);
  /**
   * when not queued: the gRPC status BroadcastTx would answer
   */
  'code': (number);
  /**
   * when not queued: the field (txs[i]...), a stable reason, why
   */
  'error': (_learnchain_v1_ErrorDetail__Output | null);
}
