/**
 * Local training on onnxruntime (@learnchain/model's trainLocal) over this
 * node's shard, on the chosen execution provider, on a thread of its own
 * (training-thread.ts). Built models are cached by name; their initial
 * parameters are never used (the base comes by hash).
 */
import { builtModel, type Dataset, type ExecutionProvider, type Manifest } from '@learnchain/model';

import type { TrainingJob } from '../job';
import type { LocalResult, LocalTrainer } from '../ports';
import { TrainingThread } from './training-thread';

export interface OnnxTrainerOptions {
  readonly shard: Dataset;
  readonly provider: ExecutionProvider;
  /** Seed of the per-round shuffles (varied by round). */
  readonly seed: number;
  /** onnxruntime threads per operator (0: its default, one per core). */
  readonly threads?: number;
  /** The nice value the training thread runs at (0-19; default 0, the process's priority). */
  readonly nice?: number;
  readonly onWarning?: (message: string) => void;
}

export class OnnxLocalTrainer implements LocalTrainer {
  private rounds = 0;
  private readonly thread: TrainingThread;

  constructor(private readonly options: OnnxTrainerOptions) {
    this.thread = new TrainingThread(options.shard, options.nice ?? 0);
  }

  manifest(name: string): Manifest {
    return builtModel(name).manifest;
  }

  async train(job: TrainingJob, base: Float32Array, signal?: AbortSignal): Promise<LocalResult> {
    signal?.throwIfAborted();
    // An unknown model throws here, before the thread is asked.
    builtModel(job.model);
    const started = process.hrtime.bigint();
    this.rounds += 1;
    const result = await this.thread.train(job.model, base, {
      epochs: job.epochs,
      batchSize: job.batchSize,
      lr: job.lr,
      momentum: job.momentum,
      proximalMu: job.proximalMu,
      maxShift: job.maxShift,
      seed: (this.options.seed ^ Math.imul(this.rounds, 0x9e3779b1)) >>> 0,
      executionProviders: [this.options.provider],
      threads: this.options.threads ?? 0,
      ...(this.options.onWarning ? { onWarning: this.options.onWarning } : {}),
    });
    signal?.throwIfAborted();
    const perEpoch = Math.max(1, Math.ceil(this.options.shard.count / job.batchSize));
    const last = result.losses.slice(-perEpoch);
    const loss = last.length > 0 ? last.reduce((a, b) => a + b, 0) / last.length : NaN;
    return { params: result.params, numSamples: this.options.shard.count, loss, micros: Number((process.hrtime.bigint() - started) / 1000n) };
  }

  close(): Promise<void> {
    return this.thread.close();
  }
}
