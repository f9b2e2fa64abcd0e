/** @learnchain/validator: the validator service, for in-process meshes and tests. */
export { startValidator } from './main';
export type { RunningValidator, StartOptions, ValidatorConfig } from './main';
export { validatorConfig } from './config';
export { FileWal, MemoryWal, entriesOf } from './wal';
export type { Wal, WalEntry } from './wal';
export { Signer, signKey } from './signer';
export { Mempool } from './mempool';
export * from './errors';
export { BlobModelEvaluator, decodeUpdateBlob, inlineEvaluation, type EvaluationRunner } from './round-check';
export { EvaluationThread } from './evaluation-thread';
