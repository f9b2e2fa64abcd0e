/**
 * Local training on a thread of its own. onnxruntime-node runs a session on
 * the thread that calls it, blocking it for each step; on the trainer's
 * event loop that would hold up its heartbeats, gRPC and bus while it trains,
 * and in a process hosting several services (the devnet) everyone else too.
 * The thread holds the node's shard (copied to it once) and builds models by
 * name; each request carries the base parameters and the options.
 */
import { Worker } from 'node:worker_threads';
import { workerScript } from '@learnchain/core';
import type { Dataset, TrainOptions, TrainResult } from '@learnchain/model';

import { TrainingThreadError } from '../errors';

export interface TrainRequest {
  readonly id: number;
  readonly model: string;
  readonly base: Float32Array;
  readonly options: Omit<TrainOptions, 'onWarning'>;
}

export type TrainReply =
  | { readonly id: number; readonly ok: true; readonly params: Float32Array; readonly losses: number[]; readonly provider: TrainResult['provider']; readonly warnings: string[] }
  | { readonly id: number; readonly ok: false; readonly name: string; readonly message: string; readonly warnings: string[] };

interface Pending {
  readonly resolve: (result: TrainResult) => void;
  readonly reject: (error: Error) => void;
  readonly onWarning: ((message: string) => void) | undefined;
}

export class TrainingThread {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(private readonly shard: Dataset) {}

  /** trainLocal on the thread (started on the first call, and again after it died). */
  train(model: string, base: Float32Array, options: TrainOptions): Promise<TrainResult> {
    const { onWarning, ...rest } = options;
    const id = this.nextId++;
    return new Promise<TrainResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onWarning });
      this.started().postMessage({ id, model, base, options: rest } satisfies TrainRequest);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.failAll('the trainer is closing');
    await worker?.terminate();
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const entry = workerScript(__filename, 'training-worker');
    const worker = new Worker(entry.file, { execArgv: entry.execArgv, workerData: { shard: this.shard } });
    worker.on('message', (reply: TrainReply) => this.settle(reply));
    worker.on('error', (error: Error) => this.died(worker, `failed: ${error.message}`));
    worker.on('exit', (code: number) => this.died(worker, `exited with code ${code}`));
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private settle(reply: TrainReply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    for (const warning of reply.warnings) pending.onWarning?.(warning);
    if (reply.ok) pending.resolve({ params: reply.params, losses: reply.losses, provider: reply.provider });
    else pending.reject(Object.assign(new Error(reply.message), { name: reply.name }));
  }

  private died(worker: Worker, how: string): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.failAll(`the training thread ${how}`);
  }

  private failAll(reason: string): void {
    for (const pending of this.pending.values()) pending.reject(new TrainingThreadError(reason));
    this.pending.clear();
  }
}
