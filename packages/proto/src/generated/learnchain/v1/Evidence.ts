// Original file: proto/learnchain/v1/chain.proto

import type { Vote as _learnchain_v1_Vote, Vote__Output as _learnchain_v1_Vote__Output } from '../../learnchain/v1/Vote';

/**
 * Two conflicting votes signed by the same validator.
 */
export interface Evidence {
  'voteA'?: (_learnchain_v1_Vote | null);
  'voteB'?: (_learnchain_v1_Vote | null);
}

/**
 * Two conflicting votes signed by the same validator.
 */
export interface Evidence__Output {
  'voteA': (_learnchain_v1_Vote__Output | null);
  'voteB': (_learnchain_v1_Vote__Output | null);
}
