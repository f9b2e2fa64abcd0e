/**
 * Round checks on a thread of their own. A validator evaluates each round's
 * new model on the job's validation set with onnxruntime, whose session.run
 * blocks the thread that calls it: for a CNN and 1,000 digits about 0.6 s
 * here, in which a validator on its event loop would neither vote, propose
 * nor pass anything on. The thread keeps each validation set it was sent (by
 * its hash) and its sessions; a thread that dies fails what it had in flight
 * and is started again by the next evaluation.
 */
import { Worker } from 'node:worker_threads';
import { workerScript } from '@learnchain/core';
import type { Dataset, Evaluation } from '@learnchain/model';

import { EvaluationThreadError } from './errors';

export interface EvaluateRequest {
  readonly id: number;
  readonly model: string;
  readonly params: Float32Array;
  /** The validation set's hash (hex); the set itself comes with the first request naming it. */
  readonly datasetKey: string;
  readonly dataset?: Dataset;
  /** onnxruntime threads per operator (0: its default). */
  readonly threads: number;
}

export type EvaluateReply =
  | { readonly id: number; readonly ok: true; readonly loss: number; readonly accuracy: number }
  | { readonly id: number; readonly ok: false; readonly name: string; readonly message: string };

interface Pending {
  readonly resolve: (result: Evaluation) => void;
  readonly reject: (error: Error) => void;
}

export class EvaluationThread {
  private worker: Worker | undefined;
  /** Validation sets the running thread holds. */
  private readonly sent = new Set<string>();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(private readonly options: { readonly threads?: number } = {}) {}

  /** `evaluate` of @learnchain/model on the thread: `params` of the built-in `model` over `dataset`, known by `datasetKey`. */
  evaluate(model: string, params: Float32Array, datasetKey: string, dataset: Dataset): Promise<Evaluation> {
    const worker = this.started();
    const id = this.nextId++;
    const first = !this.sent.has(datasetKey);
    this.sent.add(datasetKey);
    return new Promise<Evaluation>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, model, params, datasetKey, threads: this.options.threads ?? 0, ...(first ? { dataset } : {}) } satisfies EvaluateRequest);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.forget();
    this.failAll('the validator is closing');
    await worker?.terminate();
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const entry = workerScript(__filename, 'evaluation-worker');
    const worker = new Worker(entry.file, { execArgv: entry.execArgv });
    worker.on('message', (reply: EvaluateReply) => this.settle(reply));
    worker.on('error', (error: Error) => this.died(worker, `failed: ${error.message}`));
    worker.on('exit', (code: number) => this.died(worker, `exited with code ${code}`));
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private settle(reply: EvaluateReply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    if (reply.ok) pending.resolve({ loss: reply.loss, accuracy: reply.accuracy });
    else pending.reject(Object.assign(new Error(reply.message), { name: reply.name }));
  }

  private died(worker: Worker, how: string): void {
    if (this.worker !== worker) return;
    this.forget();
    this.failAll(`the evaluation thread ${how}`);
  }

  /** The next evaluation starts a fresh thread, which holds no validation set yet. */
  private forget(): void {
    this.worker = undefined;
    this.sent.clear();
  }

  private failAll(reason: string): void {
    for (const pending of this.pending.values()) pending.reject(new EvaluationThreadError(reason));
    this.pending.clear();
  }
}
