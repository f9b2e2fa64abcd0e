// Original file: proto/learnchain/v1/aggregator.proto

import type { RoundStatus as _learnchain_v1_RoundStatus, RoundStatus__Output as _learnchain_v1_RoundStatus__Output } from '../../learnchain/v1/RoundStatus';

export interface ListRoundsResponse {
  'rounds'?: (_learnchain_v1_RoundStatus)[];
}

export interface ListRoundsResponse__Output {
  'rounds': (_learnchain_v1_RoundStatus__Output)[];
}
