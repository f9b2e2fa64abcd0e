/** The trainer service, for in-process meshes and tests. */
export { startTrainer, type RunningTrainer, type TrainerDeps } from './main';
export { trainerConfig, checkTrainerConfig, type TrainerConfig } from './config';
export { RoundHandler, type RoundOutcome, type RoundHandlerOptions } from './round';
export { TrainerNode, consumerName, type Membership, type NodeLifecycle } from './node';
export type { Clock, JobSource, LocalResult, LocalTrainer, ModelSource, SignedUpdate, SubmitReceipt, UpdateHeader, UpdateSink } from './ports';
export { parseTrainingJob, JOB_DEFAULTS, type TrainingJob } from './job';
export { ATTACKS, attackDelta, flipLabels, type Attack, type AttackName } from './attacks';
export { parsePartition, loadShard, type PartitionSpec, type ShardSelection } from './data';
export { chooseDevice, type DeviceChoice, type DeviceRequest } from './device';
export { readBlob } from './blob';
export { clipInPlace, epsilonSpent, privatize, secureNormal, PRIVACY_DELTA, type PrivacyOptions } from './privacy';
export { streamUpdate, checkChunkSize, headerMessage, dataMessages, FRAMING_BYTES } from './upload';
export { signUpdate, deltaOf, parametersOf } from './update';
export { AggregatorAdapter, type AggregatorAdapterOptions } from './adapters/aggregator';
export { ValidatorJobSource } from './adapters/validator';
export { OnnxLocalTrainer } from './adapters/onnx';
export * from './errors';
