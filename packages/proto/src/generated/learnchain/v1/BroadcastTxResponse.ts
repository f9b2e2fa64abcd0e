// Original file: proto/learnchain/v1/validator.proto

import type { Long } from '@grpc/proto-loader';

export interface BroadcastTxResponse {
  'txHash'?: (Buffer | Uint8Array | string);
  /**
   * set when committed
   */
  'height'?: (number | string | Long);
  /**
   * the ledger's verdict, when committed
   */
  'accepted'?: (boolean);
  /**
   * why the ledger refused it
   */
  'reason'?: (string);
}

export interface BroadcastTxResponse__Output {
  'txHash': (Buffer);
  /**
   * set when committed
   */
  'height': (number);
  /**
   * the ledger's verdict, when committed
   */
  'accepted': (boolean);
  /**
   * why the ledger refused it
   */
  'reason': (string);
}
