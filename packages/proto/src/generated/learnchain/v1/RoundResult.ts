// Original file: proto/learnchain/v1/chain.proto

import type { AggregationRule as _learnchain_v1_AggregationRule, AggregationRule__Output as _learnchain_v1_AggregationRule__Output } from '../../learnchain/v1/AggregationRule';
import type { IncludedUpdate as _learnchain_v1_IncludedUpdate, IncludedUpdate__Output as _learnchain_v1_IncludedUpdate__Output } from '../../learnchain/v1/IncludedUpdate';
import type { ExcludedUpdate as _learnchain_v1_ExcludedUpdate, ExcludedUpdate__Output as _learnchain_v1_ExcludedUpdate__Output } from '../../learnchain/v1/ExcludedUpdate';
import type { RoundMetrics as _learnchain_v1_RoundMetrics, RoundMetrics__Output as _learnchain_v1_RoundMetrics__Output } from '../../learnchain/v1/RoundMetrics';
import type { Long } from '@grpc/proto-loader';

export interface RoundResult {
  'jobId'?: (string);
  'round'?: (number | string | Long);
  'baseModelHash'?: (Buffer | Uint8Array | string);
  'newModelHash'?: (Buffer | Uint8Array | string);
  'membershipEpoch'?: (number | string | Long);
  'rule'?: (_learnchain_v1_AggregationRule | null);
  'included'?: (_learnchain_v1_IncludedUpdate)[];
  'excluded'?: (_learnchain_v1_ExcludedUpdate)[];
  'metrics'?: (_learnchain_v1_RoundMetrics | null);
}

export interface RoundResult__Output {
  'jobId': (string);
  'round': (number);
  'baseModelHash': (Buffer);
  'newModelHash': (Buffer);
  'membershipEpoch': (number);
  'rule': (_learnchain_v1_AggregationRule__Output | null);
  'included': (_learnchain_v1_IncludedUpdate__Output)[];
  'excluded': (_learnchain_v1_ExcludedUpdate__Output)[];
  'metrics': (_learnchain_v1_RoundMetrics__Output | null);
}
