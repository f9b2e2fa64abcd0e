// Original file: proto/learnchain/v1/chain.proto

import type { ValidatorUpdate as _learnchain_v1_ValidatorUpdate, ValidatorUpdate__Output as _learnchain_v1_ValidatorUpdate__Output } from '../../learnchain/v1/ValidatorUpdate';

export interface ValidatorSetUpdate {
  'updates'?: (_learnchain_v1_ValidatorUpdate)[];
}

export interface ValidatorSetUpdate__Output {
  'updates': (_learnchain_v1_ValidatorUpdate__Output)[];
}
