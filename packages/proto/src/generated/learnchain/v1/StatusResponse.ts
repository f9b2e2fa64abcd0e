// Original file: proto/learnchain/v1/validator.proto

import type { ValidatorSet as _learnchain_v1_ValidatorSet, ValidatorSet__Output as _learnchain_v1_ValidatorSet__Output } from '../../learnchain/v1/ValidatorSet';
import type { Long } from '@grpc/proto-loader';

export interface StatusResponse {
  'chainId'?: (string);
  'address'?: (string);
  'latestHeight'?: (number | string | Long);
  'latestBlockHash'?: (Buffer | Uint8Array | string);
  'latestAppHash'?: (Buffer | Uint8Array | string);
  'latestBlockTimeMs'?: (number | string | Long);
  'catchingUp'?: (boolean);
  'validators'?: (_learnchain_v1_ValidatorSet | null);
  'mempoolSize'?: (number | string | Long);
}

export interface StatusResponse__Output {
  'chainId': (string);
  'address': (string);
  'latestHeight': (number);
  'latestBlockHash': (Buffer);
  'latestAppHash': (Buffer);
  'latestBlockTimeMs': (number);
  'catchingUp': (boolean);
  'validators': (_learnchain_v1_ValidatorSet__Output | null);
  'mempoolSize': (number);
}
