// Original file: proto/learnchain/v1/consensus.proto

import type { Block as _learnchain_v1_Block, Block__Output as _learnchain_v1_Block__Output } from '../../learnchain/v1/Block';
import type { Commit as _learnchain_v1_Commit, Commit__Output as _learnchain_v1_Commit__Output } from '../../learnchain/v1/Commit';

export interface SyncedBlock {
  'block'?: (_learnchain_v1_Block | null);
  'commit'?: (_learnchain_v1_Commit | null);
}

export interface SyncedBlock__Output {
  'block': (_learnchain_v1_Block__Output | null);
  'commit': (_learnchain_v1_Commit__Output | null);
}
