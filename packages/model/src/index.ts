/**
 * @learnchain/model: ONNX training graphs with reverse-mode autodiff, run on
 * onnxruntime; MNIST, partitioners, flat parameters and update encodings.
 */
export { loadMnist, subset, MNIST_SPLIT_SEED, MNIST_TRAIN_SIZE } from './data/dataset';
export type { Dataset, MnistSplit } from './data/dataset';
export { encodeDataset, decodeDataset } from './data/blob';
export { partition } from './data/partition';
export type { PartitionOptions, Shard } from './data/partition';
export { buildModel, builtModel, classifierOf } from './models/classifier';
export type { BuiltinModel, Classifier } from './models/classifier';
export { trainLocal, evaluate } from './runtime/train';
export type { TrainOptions, TrainResult, Evaluation } from './runtime/train';
export { openSession } from './runtime/session';
export type { ExecutionProvider, SessionConfig, OpenSession } from './runtime/session';
export { manifestOf, hashParameters, tensorView, checkSize } from './params/manifest';
export type { Manifest, ManifestEntry } from './params/manifest';
export { evaluationGraph, forwardGraph, gradientGraph, trainingStepGraph, IO } from './graph/derive';
export type { StepVariant } from './graph/derive';
export { SUPPORTED_OPS } from './graph/definition';
export type { ModelDefinition, ParameterSpec } from './graph/definition';
export { GraphBuilder } from './onnx/builder';
export { encodeModel, decodeModel } from './onnx/model-proto';
export { attr, IR_VERSION, OPSET_VERSION } from './onnx/types';
export type { Attribute, Dim, ElemType, Graph, Model, Node, Tensor, ValueInfo } from './onnx/types';
export { Random } from './random';
export * from './errors';
export * from './encoding';
export { importModel, exportModel } from './models/import';
