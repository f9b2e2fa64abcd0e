// Original file: proto/learnchain/v1/chain.proto

export const VoteType = {
  VOTE_TYPE_UNSPECIFIED: 'VOTE_TYPE_UNSPECIFIED',
  VOTE_TYPE_PREVOTE: 'VOTE_TYPE_PREVOTE',
  VOTE_TYPE_PRECOMMIT: 'VOTE_TYPE_PRECOMMIT',
} as const;

export type VoteType =
  | 'VOTE_TYPE_UNSPECIFIED'
  | 0
  | 'VOTE_TYPE_PREVOTE'
  | 1
  | 'VOTE_TYPE_PRECOMMIT'
  | 2

export type VoteType__Output = typeof VoteType[keyof typeof VoteType]
