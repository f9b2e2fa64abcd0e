// Original file: proto/learnchain/v1/aggregator.proto

import type { RoundState as _learnchain_v1_RoundState, RoundState__Output as _learnchain_v1_RoundState__Output } from '../../learnchain/v1/RoundState';
import type { RoundResult as _learnchain_v1_RoundResult, RoundResult__Output as _learnchain_v1_RoundResult__Output } from '../../learnchain/v1/RoundResult';
import type { Long } from '@grpc/proto-loader';

export interface RoundStatus {
  'jobId'?: (string);
  'round'?: (number | string | Long);
  'state'?: (_learnchain_v1_RoundState);
  'baseModelHash'?: (Buffer | Uint8Array | string);
  'deadlineMs'?: (number | string | Long);
  'participants'?: (string)[];
  'received'?: (string)[];
  'result'?: (_learnchain_v1_RoundResult | null);
  'failure'?: (string);
  'membershipEpoch'?: (number | string | Long);
  /**
   * The block that committed the round's result (0 and empty until it is committed).
   */
  'committedHeight'?: (number | string | Long);
  'committedBlockHash'?: (Buffer | Uint8Array | string);
}

export interface RoundStatus__Output {
  'jobId': (string);
  'round': (number);
  'state': (_learnchain_v1_RoundState__Output);
  'baseModelHash': (Buffer);
  'deadlineMs': (number);
  'participants': (string)[];
  'received': (string)[];
  'result': (_learnchain_v1_RoundResult__Output | null);
  'failure': (string);
  'membershipEpoch': (number);
  /**
   * The block that committed the round's result (0 and empty until it is committed).
   */
  'committedHeight': (number);
  'committedBlockHash': (Buffer);
}
