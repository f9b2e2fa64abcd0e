// Original file: proto/learnchain/v1/aggregator.proto

import type { RoundStatus as _learnchain_v1_RoundStatus, RoundStatus__Output as _learnchain_v1_RoundStatus__Output } from '../../learnchain/v1/RoundStatus';
import type { Long } from '@grpc/proto-loader';

export interface ListRoundsResponse {
  'rounds'?: (_learnchain_v1_RoundStatus)[];
  /**
   * The from_round of the next page; 0 when this page ends the list.
   */
  'nextRound'?: (number | string | Long);
}

export interface ListRoundsResponse__Output {
  'rounds': (_learnchain_v1_RoundStatus__Output)[];
  /**
   * The from_round of the next page; 0 when this page ends the list.
   */
  'nextRound': (number);
}
