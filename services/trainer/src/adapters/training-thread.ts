/**
 * Local training on a thread of its own. onnxruntime-node runs a session on
 * the thread that calls it, blocking it for each step; on the trainer's
 * event loop that would hold up its heartbeats, gRPC and bus while it trains,
 * and in a process hosting several services (the devnet) everyone else too.
 * The thread holds the node's shard (copied to it once) and builds models by
 * name; each request carries the base parameters and the options.
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

export class TrainingThread {
  private readonly calls: WorkerCalls<TrainRequest, TrainReply>;

  constructor(shard: Dataset) {
    this.calls = new WorkerCalls({ starter: __filename, entry: 'training-worker', workerData: { shard }, failure: (reason) => new TrainingThreadError(reason) });
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
