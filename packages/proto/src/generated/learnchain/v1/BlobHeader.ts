// Original file: proto/learnchain/v1/common.proto

import type { BlobKind as _learnchain_v1_BlobKind, BlobKind__Output as _learnchain_v1_BlobKind__Output } from '../../learnchain/v1/BlobKind';
import type { Long } from '@grpc/proto-loader';

export interface BlobHeader {
  /**
   * SHA-256 of the whole blob
   */
  'hash'?: (Buffer | Uint8Array | string);
  /**
   * total size in bytes
   */
  'size'?: (number | string | Long);
  'kind'?: (_learnchain_v1_BlobKind);
  /**
   * PutBlob: the committed job that names this blob (its initial parameters,
   * model definition or validation set); other blobs are refused.
   */
  'jobId'?: (string);
}

export interface BlobHeader__Output {
  /**
   * SHA-256 of the whole blob
   */
  'hash': (Buffer);
  /**
   * total size in bytes
   */
  'size': (number);
  'kind': (_learnchain_v1_BlobKind__Output);
  /**
   * PutBlob: the committed job that names this blob (its initial parameters,
   * model definition or validation set); other blobs are refused.
   */
  'jobId': (string);
}
