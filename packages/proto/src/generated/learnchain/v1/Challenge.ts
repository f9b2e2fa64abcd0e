// Original file: proto/learnchain/v1/registry.proto

import type { Long } from '@grpc/proto-loader';

export interface Challenge {
  'chainId'?: (string);
  'nonce'?: (Buffer | Uint8Array | string);
  'issuedAtMs'?: (number | string | Long);
  'expiresAtMs'?: (number | string | Long);
}

export interface Challenge__Output {
  'chainId': (string);
  'nonce': (Buffer);
  'issuedAtMs': (number);
  'expiresAtMs': (number);
}
