// Original file: proto/learnchain/v1/chain.proto

import type { Long } from '@grpc/proto-loader';

export interface ValidatorUpdate {
  'publicKey'?: (Buffer | Uint8Array | string);
  /**
   * 0 removes the validator
   */
  'power'?: (number | string | Long);
}

export interface ValidatorUpdate__Output {
  'publicKey': (Buffer);
  /**
   * 0 removes the validator
   */
  'power': (number);
}
