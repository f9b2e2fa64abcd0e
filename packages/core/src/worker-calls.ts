import { Worker } from 'node:worker_threads';

import { workerScript } from './worker-script';

/** What a worker thread answers a call with: its result, or the error it met (by name and message). */
export type WorkerAnswer<Result extends object> = ({ readonly ok: true } & Result) | { readonly ok: false; readonly name: string; readonly message: string };

export interface WorkerCallsOptions {
  /** The __filename of the module starting the thread: its entry `entry` lies beside it (see workerScript). */
  readonly starter: string;
  readonly entry: string;
  readonly workerData?: unknown;
  /** The error a call in flight fails with when the thread dies or is closed. */
  readonly failure: (reason: string) => Error;
}

/**
 * Calls answered by one worker thread, each matched with its answer (often a
 * WorkerAnswer) by the id the thread echoes. The thread starts on the first call, and again on the
 * first call after it died; one that dies, or is closed, fails the calls it
 * had in flight. It does not hold the process open.
 */
export class WorkerCalls<Call extends object, Answer extends object> {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, { readonly resolve: (answer: Answer) => void; readonly reject: (error: Error) => void }>();
  private nextId = 1;

  constructor(private readonly options: WorkerCallsOptions) {}

  /** Whether a thread is running now (the next call otherwise starts a fresh one, which holds nothing sent before). */
  get running(): boolean {
    return this.worker !== undefined;
  }

  /** Posts `{ id, ...call }` (the `transfer` list moved, not copied) and resolves with the thread's answer to it. */
  call(call: Call, transfer: readonly ArrayBuffer[] = []): Promise<Answer> {
    const worker = this.started();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, ...call }, [...transfer]);
    });
  }

  async close(reason: string): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.failAll(reason);
    await worker?.terminate();
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const entry = workerScript(this.options.starter, this.options.entry);
    const worker = new Worker(entry.file, { execArgv: entry.execArgv, workerData: this.options.workerData });
    worker.on('message', (answer: Answer & { readonly id: number }) => this.settle(answer));
    worker.on('error', (error: Error) => this.died(worker, `failed: ${error.message}`));
    worker.on('exit', (code: number) => this.died(worker, `exited with code ${code}`));
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private settle(answer: Answer & { readonly id: number }): void {
    const pending = this.pending.get(answer.id);
    if (!pending) return;
    this.pending.delete(answer.id);
    pending.resolve(answer);
  }

  private died(worker: Worker, how: string): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.failAll(`the thread ${how}`);
  }

  private failAll(reason: string): void {
    for (const pending of this.pending.values()) pending.reject(this.options.failure(reason));
    this.pending.clear();
  }
}

/** In the worker thread: the answer to a call that failed with `error`. */
export function errorAnswer(error: unknown): { readonly ok: false; readonly name: string; readonly message: string } {
  return { ok: false, name: error instanceof Error ? error.name : 'Error', message: error instanceof Error ? error.message : String(error) };
}

/** The error a worker thread answered with, as an Error of the same name. */
export function answerError(answer: { readonly name: string; readonly message: string }): Error {
  return Object.assign(new Error(answer.message), { name: answer.name });
}
