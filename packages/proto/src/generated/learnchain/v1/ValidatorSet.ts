// Original file: proto/learnchain/v1/chain.proto

import type { ValidatorInfo as _learnchain_v1_ValidatorInfo, ValidatorInfo__Output as _learnchain_v1_ValidatorInfo__Output } from '../../learnchain/v1/ValidatorInfo';

export interface ValidatorSet {
  'validators'?: (_learnchain_v1_ValidatorInfo)[];
}

export interface ValidatorSet__Output {
  'validators': (_learnchain_v1_ValidatorInfo__Output)[];
}
