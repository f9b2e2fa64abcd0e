// Original file: proto/learnchain/v1/common.proto

/**
 * What a node does in the cluster.
 */
export const Role = {
  ROLE_UNSPECIFIED: 'ROLE_UNSPECIFIED',
  ROLE_TRAINER: 'ROLE_TRAINER',
  ROLE_AGGREGATOR: 'ROLE_AGGREGATOR',
  ROLE_VALIDATOR: 'ROLE_VALIDATOR',
} as const;

/**
 * What a node does in the cluster.
 */
export type Role =
  | 'ROLE_UNSPECIFIED'
  | 0
  | 'ROLE_TRAINER'
  | 1
  | 'ROLE_AGGREGATOR'
  | 2
  | 'ROLE_VALIDATOR'
  | 3

/**
 * What a node does in the cluster.
 */
export type Role__Output = typeof Role[keyof typeof Role]
