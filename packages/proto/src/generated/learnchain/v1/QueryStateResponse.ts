// Original file: proto/learnchain/v1/validator.proto

import type { Long } from '@grpc/proto-loader';

export interface QueryStateResponse {
  'height'?: (number | string | Long);
  'appHash'?: (Buffer | Uint8Array | string);
  'json'?: (string);
  /**
   * A list with more records: the `after` of the next page; "" when this page ends it.
   */
  'nextAfter'?: (string);
}

export interface QueryStateResponse__Output {
  'height': (number);
  'appHash': (Buffer);
  'json': (string);
  /**
   * A list with more records: the `after` of the next page; "" when this page ends it.
   */
  'nextAfter': (string);
}
