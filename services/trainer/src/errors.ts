/**
 * Errors of the trainer. Each carries the context a log line or a test needs;
 * the round handler turns them into a failed round outcome with a reason.
 */

export class TrainerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Thrown when a blob read with GetBlob does not hash to the hash it was asked for: it is never trained on. */
export class BaseModelHashMismatchError extends TrainerError {
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`the base model read hashes to ${actual}, not the ${expected} asked for`);
  }
}

/** Thrown when a GetBlob stream is malformed: no header, a header for another hash, too many or too few bytes. */
export class BlobStreamError extends TrainerError {
  constructor(
    readonly hash: string,
    readonly reason: string,
  ) {
    super(`blob ${hash}: ${reason}`);
  }
}

/** Thrown when base parameters do not fit the job's model (wrong byte length for its parameter count). */
export class ParameterShapeError extends TrainerError {
  constructor(
    readonly model: string,
    readonly expectedValues: number,
    readonly actualBytes: number,
  ) {
    super(`model ${model} has ${expectedValues} parameters (${4 * expectedValues} bytes); the base blob has ${actualBytes} bytes`);
  }
}

/** Thrown when the ledger's JSON for a job lacks a field the trainer needs, or holds a value it cannot use. */
export class JobFormatError extends TrainerError {
  constructor(
    readonly jobId: string,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`job ${jobId}: ${field} ${reason}`);
  }
}

/** Thrown when a round names a job the chain does not know (yet). */
export class UnknownJobError extends TrainerError {
  constructor(readonly jobId: string) {
    super(`job ${jobId} is not on chain`);
  }
}

/** Thrown when the aggregator closed the round before the update reached it: the update counts as late. */
export class RoundClosedError extends TrainerError {
  constructor(
    readonly jobId: string,
    readonly round: number,
    readonly detail: string,
  ) {
    super(`round ${round} of job ${jobId} closed before the update arrived (${detail})`);
  }
}

/** Thrown when a round's deadline passes before its update was uploaded. */
export class RoundDeadlineError extends TrainerError {
  constructor(
    readonly jobId: string,
    readonly round: number,
    readonly stage: string,
  ) {
    super(`round ${round} of job ${jobId} reached its deadline during ${stage}`);
  }
}

/** Thrown at start when --require-gpu is set and no CUDA execution provider works on this machine. */
export class GpuRequiredError extends TrainerError {
  constructor(readonly reason: string) {
    super(`a GPU is required (--require-gpu) but CUDA is unavailable: ${reason}`);
  }
}

/** Thrown when an upload chunk size is outside what the message limit allows. */
export class ChunkSizeError extends TrainerError {
  constructor(
    readonly chunkBytes: number,
    readonly maxMessageBytes: number,
  ) {
    super(`a chunk of ${chunkBytes} bytes does not fit a ${maxMessageBytes}-byte message with its framing`);
  }
}

/** Thrown when this node's shard holds no samples: an update of zero samples carries no weight and is refused. */
export class EmptyShardError extends TrainerError {
  constructor(readonly jobId: string) {
    super(`job ${jobId}: this trainer's shard is empty, there is nothing to train on`);
  }
}

/** Thrown for a training request the training thread did not answer: it died, or the trainer closed. */
export class TrainingThreadError extends TrainerError {
  constructor(readonly reason: string) {
    super(`local training did not finish: ${reason}`);
  }
}
