// Original file: proto/learnchain/v1/validator.proto

import type { Long } from '@grpc/proto-loader';

export interface QueryStateResponse {
  'height'?: (number | string | Long);
  'appHash'?: (Buffer | Uint8Array | string);
  'json'?: (string);
}

export interface QueryStateResponse__Output {
  'height': (number);
  'appHash': (Buffer);
  'json': (string);
}
