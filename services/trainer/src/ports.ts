/**
 * The trainer's ports. The round handler sees only these; main.ts wires the
 * gRPC adapters (Validator for jobs, Aggregator for blobs and updates) and
 * the onnxruntime trainer, tests wire in-memory ones.
 */
import type { Manifest, UpdateEncoding } from '@learnchain/model';

import type { TrainingJob } from './job';

/** Where the trainer learns a job's hyper-parameters. */
export interface JobSource {
  /** The job, or undefined when the chain does not know it. */
  job(jobId: string, signal?: AbortSignal): Promise<TrainingJob | undefined>;
}

/** Where base models come from, by hash. */
export interface ModelSource {
  /** The bytes of the blob with this SHA-256; throws BaseModelHashMismatchError unless they hash to it. */
  fetch(hash: Uint8Array, signal?: AbortSignal): Promise<Uint8Array>;
}

/** The header fields of an upload, signed over updateStatement. */
export interface UpdateHeader {
  readonly chainId: string;
  readonly jobId: string;
  readonly round: number;
  readonly baseModelHash: Uint8Array;
  readonly updateHash: Uint8Array;
  readonly encoding: UpdateEncoding;
  readonly numSamples: number;
  readonly nodeId: string;
  readonly publicKey: Uint8Array;
  readonly signature: Uint8Array;
  readonly trainLoss: number;
  readonly trainMicros: number;
  /** ε (at δ = 1e-5) this node spent on the job so far, this update included; 0 without DP noise. */
  readonly epsilonSpent: number;
}

/** An encoded update with its signed header. */
export interface SignedUpdate {
  readonly header: UpdateHeader;
  readonly bytes: Uint8Array;
}

/** The aggregator's answer to an upload. */
export interface SubmitReceipt {
  readonly updateHash: Uint8Array;
  readonly duplicate: boolean;
}

/** Where updates go; `submit` throws RoundClosedError when the round closed before the update arrived. */
export interface UpdateSink {
  submit(update: SignedUpdate, signal?: AbortSignal): Promise<SubmitReceipt>;
}

/** What local training produced. */
export interface LocalResult {
  readonly params: Float32Array;
  /** Samples trained on per epoch: the shard's size. */
  readonly numSamples: number;
  /** Mean loss of the last epoch's steps. */
  readonly loss: number;
  readonly micros: number;
}

/** Local training on this node's own shard; the samples never leave it. */
export interface LocalTrainer {
  /** The parameter layout of a model, by name (throws for an unknown model). */
  manifest(model: string): Manifest;
  train(job: TrainingJob, base: Float32Array, signal?: AbortSignal): Promise<LocalResult>;
  /** Releases what training holds (a thread); optional. */
  close?(): Promise<void>;
}

/** A clock, so tests decide what time it is. */
export interface Clock {
  now(): number;
}
