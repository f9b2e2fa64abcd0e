// Original file: proto/learnchain/v1/common.proto

/**
 * The kind of a content-addressed blob.
 */
export const BlobKind = {
  BLOB_KIND_UNSPECIFIED: 'BLOB_KIND_UNSPECIFIED',
  /**
   * an ONNX model definition
   */
  BLOB_KIND_MODEL: 'BLOB_KIND_MODEL',
  /**
   * a flat float32 parameter vector
   */
  BLOB_KIND_PARAMETERS: 'BLOB_KIND_PARAMETERS',
  /**
   * an encoded update (delta)
   */
  BLOB_KIND_UPDATE: 'BLOB_KIND_UPDATE',
  /**
   * a validation set committed by a job
   */
  BLOB_KIND_DATASET: 'BLOB_KIND_DATASET',
} as const;

/**
 * The kind of a content-addressed blob.
 */
export type BlobKind =
  | 'BLOB_KIND_UNSPECIFIED'
  | 0
  /**
   * an ONNX model definition
   */
  | 'BLOB_KIND_MODEL'
  | 1
  /**
   * a flat float32 parameter vector
   */
  | 'BLOB_KIND_PARAMETERS'
  | 2
  /**
   * an encoded update (delta)
   */
  | 'BLOB_KIND_UPDATE'
  | 3
  /**
   * a validation set committed by a job
   */
  | 'BLOB_KIND_DATASET'
  | 4

/**
 * The kind of a content-addressed blob.
 */
export type BlobKind__Output = typeof BlobKind[keyof typeof BlobKind]
