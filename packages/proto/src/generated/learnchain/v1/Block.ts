// Original file: proto/learnchain/v1/chain.proto

import type { Header as _learnchain_v1_Header, Header__Output as _learnchain_v1_Header__Output } from '../../learnchain/v1/Header';
import type { Tx as _learnchain_v1_Tx, Tx__Output as _learnchain_v1_Tx__Output } from '../../learnchain/v1/Tx';
import type { Commit as _learnchain_v1_Commit, Commit__Output as _learnchain_v1_Commit__Output } from '../../learnchain/v1/Commit';

export interface Block {
  'header'?: (_learnchain_v1_Header | null);
  'txs'?: (_learnchain_v1_Tx)[];
  /**
   * the commit of height - 1
   */
  'lastCommit'?: (_learnchain_v1_Commit | null);
}

export interface Block__Output {
  'header': (_learnchain_v1_Header__Output | null);
  'txs': (_learnchain_v1_Tx__Output)[];
  /**
   * the commit of height - 1
   */
  'lastCommit': (_learnchain_v1_Commit__Output | null);
}
