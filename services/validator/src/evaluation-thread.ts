/**
 * Round checks on a thread of their own. A validator evaluates each round's
 * new model on the job's validation set with onnxruntime, whose session.run
 * blocks the thread that calls it: for a CNN and 1,000 digits about 0.6 s
 * here, in which a validator on its event loop would neither vote, propose
 * nor pass anything on. The thread keeps the validation sets it was sent (by
 * their hash; the most recently used few, DATASETS_KEPT) and its sessions; a
 * thread that dies fails what it had in flight and is started again by the
 * next evaluation.
 */
import { answerError, SizedLru, WorkerCalls, type WorkerAnswer } from '@learnchain/core';
import type { Dataset, Evaluation } from '@learnchain/model';

import { EvaluationThreadError } from './errors';

export interface EvaluateRequest {
  readonly model: string;
  readonly params: Float32Array;
  /** The validation set's hash (hex); the set itself comes with the first request naming it. */
  readonly datasetKey: string;
  readonly dataset?: Dataset;
  /** Validation sets the thread no longer needs to keep. */
  readonly drop: readonly string[];
  /** onnxruntime threads per operator (0: its default). */
  readonly threads: number;
}

export type EvaluateReply = WorkerAnswer<Evaluation>;

/** Validation sets kept (here and on the thread), the most recently used: one a job, so a few jobs at once. */
export const DATASETS_KEPT = 8;

export class EvaluationThread {
  private readonly calls = new WorkerCalls<EvaluateRequest, EvaluateReply>({ starter: __filename, entry: 'evaluation-worker', failure: (reason) => new EvaluationThreadError(reason) });
  /** Validation sets the running thread holds; one pushed out here is to be dropped by the thread with the next call. */
  private sent = this.holdings();
  private dropped: string[] = [];

  constructor(private readonly options: { readonly threads?: number } = {}) {}

  /** `evaluate` of @learnchain/model on the thread: `params` of the built-in `model` over `dataset`, known by `datasetKey`. */
  async evaluate(model: string, params: Float32Array, datasetKey: string, dataset: Dataset): Promise<Evaluation> {
    // A fresh thread holds no validation set yet.
    if (!this.calls.running) {
      this.sent = this.holdings();
      this.dropped = [];
    }
    const first = this.sent.get(datasetKey) === undefined;
    if (first) this.sent.set(datasetKey, true, 1);
    const drop = this.dropped.splice(0);
    const reply = await this.calls.call({ model, params, datasetKey, drop, threads: this.options.threads ?? 0, ...(first ? { dataset } : {}) });
    if (!reply.ok) throw answerError(reply);
    return { loss: reply.loss, accuracy: reply.accuracy };
  }

  private holdings(): SizedLru<true> {
    return new SizedLru<true>(DATASETS_KEPT, (key) => this.dropped.push(key));
  }

  close(): Promise<void> {
    return this.calls.close('the validator is closing');
  }
}
