// Original file: proto/learnchain/v1/aggregator.proto

import type { UpdateHeader as _learnchain_v1_UpdateHeader, UpdateHeader__Output as _learnchain_v1_UpdateHeader__Output } from '../../learnchain/v1/UpdateHeader';

export interface UpdateChunk {
  /**
   * first chunk only
   */
  'header'?: (_learnchain_v1_UpdateHeader | null);
  'data'?: (Buffer | Uint8Array | string);
}

export interface UpdateChunk__Output {
  /**
   * first chunk only
   */
  'header': (_learnchain_v1_UpdateHeader__Output | null);
  'data': (Buffer);
}
