// Original file: proto/learnchain/v1/chain.proto

import type { ParameterManifest as _learnchain_v1_ParameterManifest, ParameterManifest__Output as _learnchain_v1_ParameterManifest__Output } from '../../learnchain/v1/ParameterManifest';
import type { HyperParameters as _learnchain_v1_HyperParameters, HyperParameters__Output as _learnchain_v1_HyperParameters__Output } from '../../learnchain/v1/HyperParameters';
import type { AggregationRule as _learnchain_v1_AggregationRule, AggregationRule__Output as _learnchain_v1_AggregationRule__Output } from '../../learnchain/v1/AggregationRule';
import type { ValidationRule as _learnchain_v1_ValidationRule, ValidationRule__Output as _learnchain_v1_ValidationRule__Output } from '../../learnchain/v1/ValidationRule';
import type { DType as _learnchain_v1_DType, DType__Output as _learnchain_v1_DType__Output } from '../../learnchain/v1/DType';
import type { PrivacyOptions as _learnchain_v1_PrivacyOptions, PrivacyOptions__Output as _learnchain_v1_PrivacyOptions__Output } from '../../learnchain/v1/PrivacyOptions';
import type { Long } from '@grpc/proto-loader';

export interface CreateJob {
  'jobId'?: (string);
  /**
   * built-in name ("mlp", "cnn") or "onnx"
   */
  'model'?: (string);
  /**
   * ONNX definition blob, when model = "onnx"
   */
  'modelHash'?: (Buffer | Uint8Array | string);
  'initialParametersHash'?: (Buffer | Uint8Array | string);
  'manifest'?: (_learnchain_v1_ParameterManifest | null);
  /**
   * e.g. "mnist"
   */
  'dataset'?: (string);
  /**
   * e.g. "dirichlet:0.5"
   */
  'partition'?: (string);
  'hyperParameters'?: (_learnchain_v1_HyperParameters | null);
  'rule'?: (_learnchain_v1_AggregationRule | null);
  'validation'?: (_learnchain_v1_ValidationRule | null);
  'minTrainers'?: (number);
  /**
   * 0: every active trainer
   */
  'maxTrainers'?: (number);
  'roundDeadlineMs'?: (number | string | Long);
  'rounds'?: (number);
  'updateEncoding'?: (_learnchain_v1_DType);
  'privacy'?: (_learnchain_v1_PrivacyOptions | null);
}

export interface CreateJob__Output {
  'jobId': (string);
  /**
   * built-in name ("mlp", "cnn") or "onnx"
   */
  'model': (string);
  /**
   * ONNX definition blob, when model = "onnx"
   */
  'modelHash': (Buffer);
  'initialParametersHash': (Buffer);
  'manifest': (_learnchain_v1_ParameterManifest__Output | null);
  /**
   * e.g. "mnist"
   */
  'dataset': (string);
  /**
   * e.g. "dirichlet:0.5"
   */
  'partition': (string);
  'hyperParameters': (_learnchain_v1_HyperParameters__Output | null);
  'rule': (_learnchain_v1_AggregationRule__Output | null);
  'validation': (_learnchain_v1_ValidationRule__Output | null);
  'minTrainers': (number);
  /**
   * 0: every active trainer
   */
  'maxTrainers': (number);
  'roundDeadlineMs': (number);
  'rounds': (number);
  'updateEncoding': (_learnchain_v1_DType__Output);
  'privacy': (_learnchain_v1_PrivacyOptions__Output | null);
}
