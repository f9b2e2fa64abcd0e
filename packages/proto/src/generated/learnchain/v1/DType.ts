// Original file: proto/learnchain/v1/common.proto

/**
 * Element type of a tensor or of an encoded update.
 */
export const DType = {
  DTYPE_UNSPECIFIED: 'DTYPE_UNSPECIFIED',
  DTYPE_FLOAT32: 'DTYPE_FLOAT32',
  DTYPE_FLOAT16: 'DTYPE_FLOAT16',
  /**
   * per-tensor scale, see ParameterManifest
   */
  DTYPE_INT8: 'DTYPE_INT8',
} as const;

/**
 * Element type of a tensor or of an encoded update.
 */
export type DType =
  | 'DTYPE_UNSPECIFIED'
  | 0
  | 'DTYPE_FLOAT32'
  | 1
  | 'DTYPE_FLOAT16'
  | 2
  /**
   * per-tensor scale, see ParameterManifest
   */
  | 'DTYPE_INT8'
  | 3

/**
 * Element type of a tensor or of an encoded update.
 */
export type DType__Output = typeof DType[keyof typeof DType]
