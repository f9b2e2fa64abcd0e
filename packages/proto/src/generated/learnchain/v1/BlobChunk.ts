// Original file: proto/learnchain/v1/common.proto

import type { BlobHeader as _learnchain_v1_BlobHeader, BlobHeader__Output as _learnchain_v1_BlobHeader__Output } from '../../learnchain/v1/BlobHeader';

/**
 * One piece of a streamed blob. The first chunk of a stream carries the
 * header; later chunks carry only data. Chunks arrive in order.
 */
export interface BlobChunk {
  'header'?: (_learnchain_v1_BlobHeader | null);
  'data'?: (Buffer | Uint8Array | string);
}

/**
 * One piece of a streamed blob. The first chunk of a stream carries the
 * header; later chunks carry only data. Chunks arrive in order.
 */
export interface BlobChunk__Output {
  'header': (_learnchain_v1_BlobHeader__Output | null);
  'data': (Buffer);
}
