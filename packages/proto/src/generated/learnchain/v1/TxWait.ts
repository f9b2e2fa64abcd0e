// Original file: proto/learnchain/v1/validator.proto

export const TxWait = {
  /**
   * return once the mempool accepted it
   */
  TX_WAIT_UNSPECIFIED: 'TX_WAIT_UNSPECIFIED',
  /**
   * return once a block containing it is committed
   */
  TX_WAIT_COMMIT: 'TX_WAIT_COMMIT',
} as const;

export type TxWait =
  /**
   * return once the mempool accepted it
   */
  | 'TX_WAIT_UNSPECIFIED'
  | 0
  /**
   * return once a block containing it is committed
   */
  | 'TX_WAIT_COMMIT'
  | 1

export type TxWait__Output = typeof TxWait[keyof typeof TxWait]
