/**
 * A model definition: the forward graph of a classifier from one input batch
 * to its logits, with its trainable parameters named. Training and evaluation
 * graphs are derived from it (derive.ts).
 */
import type { Node, Tensor } from '../onnx/types';

/** A trainable float32 tensor. */
export interface ParameterSpec {
  readonly name: string;
  readonly shape: readonly number[];
}

/** The forward computation of a classifier. */
export interface ModelDefinition {
  readonly name: string;
  /** The batch input's name and per-sample shape (the batch dimension is implied). */
  readonly input: { readonly name: string; readonly shape: readonly number[] };
  /** The value holding the logits, [N, classes]. */
  readonly logits: string;
  readonly classes: number;
  /** Trainable tensors, in manifest order. */
  readonly parameters: readonly ParameterSpec[];
  /** Non-trainable initializers (reshape targets and the like). */
  readonly constants: readonly Tensor[];
  /** Forward nodes in topological order. */
  readonly nodes: readonly Node[];
}

/** The ops an imported graph may use; autodiff has a rule for each (a final Softmax is dropped on import). */
export const SUPPORTED_OPS: ReadonlySet<string> = new Set([
  'MatMul',
  'Gemm',
  'Add',
  'Relu',
  'Sigmoid',
  'Tanh',
  'Conv',
  'MaxPool',
  'Reshape',
  'Flatten',
  'Dropout',
  'Identity',
  'Softmax',
]);
