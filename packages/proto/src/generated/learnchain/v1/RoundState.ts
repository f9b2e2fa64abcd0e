// Original file: proto/learnchain/v1/aggregator.proto

export const RoundState = {
  ROUND_STATE_UNSPECIFIED: 'ROUND_STATE_UNSPECIFIED',
  ROUND_STATE_OPEN: 'ROUND_STATE_OPEN',
  /**
   * aggregated, RoundResult submitted
   */
  ROUND_STATE_CLOSED: 'ROUND_STATE_CLOSED',
  ROUND_STATE_COMMITTED: 'ROUND_STATE_COMMITTED',
  ROUND_STATE_FAILED: 'ROUND_STATE_FAILED',
} as const;

export type RoundState =
  | 'ROUND_STATE_UNSPECIFIED'
  | 0
  | 'ROUND_STATE_OPEN'
  | 1
  /**
   * aggregated, RoundResult submitted
   */
  | 'ROUND_STATE_CLOSED'
  | 2
  | 'ROUND_STATE_COMMITTED'
  | 3
  | 'ROUND_STATE_FAILED'
  | 4

export type RoundState__Output = typeof RoundState[keyof typeof RoundState]
