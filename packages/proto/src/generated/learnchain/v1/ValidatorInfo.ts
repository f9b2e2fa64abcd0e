// Original file: proto/learnchain/v1/chain.proto

import type { Long } from '@grpc/proto-loader';

export interface ValidatorInfo {
  'address'?: (string);
  'publicKey'?: (Buffer | Uint8Array | string);
  'power'?: (number | string | Long);
}

export interface ValidatorInfo__Output {
  'address': (string);
  'publicKey': (Buffer);
  'power': (number);
}
