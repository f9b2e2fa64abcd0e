// Original file: proto/learnchain/v1/validator.proto

import type { Long } from '@grpc/proto-loader';

export interface GetCommitRequest {
  'height'?: (number | string | Long);
}

export interface GetCommitRequest__Output {
  'height': (number);
}
