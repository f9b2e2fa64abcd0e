// Original file: proto/learnchain/v1/chain.proto

import type { Vote as _learnchain_v1_Vote, Vote__Output as _learnchain_v1_Vote__Output } from '../../learnchain/v1/Vote';
import type { Long } from '@grpc/proto-loader';

/**
 * More than 2/3 of the voting power's precommits for one block.
 */
export interface Commit {
  'height'?: (number | string | Long);
  'round'?: (number);
  'blockHash'?: (Buffer | Uint8Array | string);
  'precommits'?: (_learnchain_v1_Vote)[];
}

/**
 * More than 2/3 of the voting power's precommits for one block.
 */
export interface Commit__Output {
  'height': (number);
  'round': (number);
  'blockHash': (Buffer);
  'precommits': (_learnchain_v1_Vote__Output)[];
}
