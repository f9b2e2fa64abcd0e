// Original file: proto/learnchain/v1/validator.proto

import type { Long } from '@grpc/proto-loader';

export interface BroadcastTxResponse {
  'txHash'?: (Buffer | Uint8Array | string);
  /**
   * set when committed; 0 with accepted false: this validator refused it without a block (a round it found unverifiable)
   */
  'height'?: (number | string | Long);
  /**
   * the ledger's verdict, when committed
   */
  'accepted'?: (boolean);
  /**
   * why the ledger (or this validator) refused it
   */
  'reason'?: (string);
}

export interface BroadcastTxResponse__Output {
  'txHash': (Buffer);
  /**
   * set when committed; 0 with accepted false: this validator refused it without a block (a round it found unverifiable)
   */
  'height': (number);
  /**
   * the ledger's verdict, when committed
   */
  'accepted': (boolean);
  /**
   * why the ledger (or this validator) refused it
   */
  'reason': (string);
}
