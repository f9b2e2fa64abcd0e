/**
 * @learnchain/model/encoding: the update encodings (float32, float16, int8
 * with a per-tensor scale; the LCU1 blob format) and float32 parameter blobs,
 * for code that must not load onnxruntime (the aggregator; the validator's
 * round check). The package index re-exports all of it.
 */
export {
  UPDATE_ENCODINGS,
  UPDATE_HEADER_BYTES,
  checkUpdateHeader,
  decodeUpdate,
  encodedSize,
  encodeUpdate,
  encodingOf,
  flatLayout,
  fromHalf,
  isUpdateEncoding,
  layoutOf,
  parameterBytes,
  parametersOf,
  toHalf,
  updateEncodingNamed,
} from './params/encoding';
export type { ParameterLayout, TensorSlice, UpdateEncoding } from './params/encoding';
export { UpdateEncodingError } from './errors';
