// Original file: proto/learnchain/v1/consensus.proto

import type { Hello as _learnchain_v1_Hello, Hello__Output as _learnchain_v1_Hello__Output } from '../../learnchain/v1/Hello';
import type { Proposal as _learnchain_v1_Proposal, Proposal__Output as _learnchain_v1_Proposal__Output } from '../../learnchain/v1/Proposal';
import type { Vote as _learnchain_v1_Vote, Vote__Output as _learnchain_v1_Vote__Output } from '../../learnchain/v1/Vote';
import type { HeightStatus as _learnchain_v1_HeightStatus, HeightStatus__Output as _learnchain_v1_HeightStatus__Output } from '../../learnchain/v1/HeightStatus';
import type { TxBatch as _learnchain_v1_TxBatch, TxBatch__Output as _learnchain_v1_TxBatch__Output } from '../../learnchain/v1/TxBatch';

export interface ConsensusMessage {
  'hello'?: (_learnchain_v1_Hello | null);
  'proposal'?: (_learnchain_v1_Proposal | null);
  'vote'?: (_learnchain_v1_Vote | null);
  'status'?: (_learnchain_v1_HeightStatus | null);
  'txs'?: (_learnchain_v1_TxBatch | null);
  'message'?: "hello"|"proposal"|"vote"|"status"|"txs";
}

export interface ConsensusMessage__Output {
  'hello'?: (_learnchain_v1_Hello__Output | null);
  'proposal'?: (_learnchain_v1_Proposal__Output | null);
  'vote'?: (_learnchain_v1_Vote__Output | null);
  'status'?: (_learnchain_v1_HeightStatus__Output | null);
  'txs'?: (_learnchain_v1_TxBatch__Output | null);
  'message'?: "hello"|"proposal"|"vote"|"status"|"txs";
}
