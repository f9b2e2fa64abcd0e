/**
 * Local training on a thread of its own. onnxruntime-node runs a session on
 * the thread that calls it, blocking it for each step; on the trainer's
 * event loop that would hold up its heartbeats, gRPC and bus while it trains,
 * and in a process hosting several services (the devnet) everyone else too.
 * The thread holds the node's shard (copied to it once) and builds models by
 * name; each request carries the base parameters and the options. It runs at
 * a lower priority (a higher nice value) than the event loop: where the cores
 * are shared, the node's heartbeats, base-model fetches and uploads, and the
 * other services of its process, go first, and training takes what is left.
 */
import { answerError, WorkerCalls, type WorkerAnswer } from '@learnchain/core';
import type { Dataset, TrainOptions, TrainResult } from '@learnchain/model';

import { TrainingThreadError } from '../errors';

export interface TrainRequest {
  readonly model: string;
  readonly base: Float32Array;
  readonly options: Omit<TrainOptions, 'onWarning'>;
}

/** The thread's answer: the training's result or error, with the warnings it gave either way. */
export type TrainReply = WorkerAnswer<{ readonly params: Float32Array; readonly losses: number[]; readonly provider: TrainResult['provider'] }> & { readonly warnings: string[] };

/** What the thread starts with: the node's shard, and the nice value it runs at (0: the process's priority). */
export interface TrainingThreadData {
  readonly shard: Dataset;
  readonly nice: number;
}

export class TrainingThread {
  private readonly calls: WorkerCalls<TrainRequest, TrainReply>;

  constructor(shard: Dataset, nice = 0) {
    const workerData: TrainingThreadData = { shard, nice };
    this.calls = new WorkerCalls({ starter: __filename, entry: 'training-worker', workerData, failure: (reason) => new TrainingThreadError(reason) });
  }

  /** trainLocal on the thread (started on the first call, and again after it died). */
  async train(model: string, base: Float32Array, options: TrainOptions): Promise<TrainResult> {
    const { onWarning, ...rest } = options;
    const reply = await this.calls.call({ model, base, options: rest });
    for (const warning of reply.warnings) onWarning?.(warning);
    if (!reply.ok) throw answerError(reply);
    return { params: reply.params, losses: reply.losses, provider: reply.provider };
  }

  close(): Promise<void> {
    return this.calls.close('the trainer is closing');
  }
}
