// Original file: proto/learnchain/v1/chain.proto

import type { Vote as _learnchain_v1_Vote, Vote__Output as _learnchain_v1_Vote__Output } from '../../learnchain/v1/Vote';
import type { SignedProposal as _learnchain_v1_SignedProposal, SignedProposal__Output as _learnchain_v1_SignedProposal__Output } from '../../learnchain/v1/SignedProposal';

/**
 * Two conflicting messages signed by the same validator: either two votes
 * (same height, round and type, different blocks) or two proposals (same
 * height and round, different blocks or valid rounds).
 */
export interface Evidence {
  'voteA'?: (_learnchain_v1_Vote | null);
  'voteB'?: (_learnchain_v1_Vote | null);
  'proposalA'?: (_learnchain_v1_SignedProposal | null);
  'proposalB'?: (_learnchain_v1_SignedProposal | null);
}

/**
 * Two conflicting messages signed by the same validator: either two votes
 * (same height, round and type, different blocks) or two proposals (same
 * height and round, different blocks or valid rounds).
 */
export interface Evidence__Output {
  'voteA': (_learnchain_v1_Vote__Output | null);
  'voteB': (_learnchain_v1_Vote__Output | null);
  'proposalA': (_learnchain_v1_SignedProposal__Output | null);
  'proposalB': (_learnchain_v1_SignedProposal__Output | null);
}
