import { cpus } from 'node:os';
import { Worker } from 'node:worker_threads';
import { workerScript } from '@learnchain/core';
import { AggregationInputError, AggregationPoolError } from '../errors';
import type { Task, TaskReply } from './protocol';

/** Options of `createAggregationPool`. */
export interface AggregationPoolOptions {
  /** Worker threads to start; default the number of CPUs, at least 1. */
  readonly workers?: number;
}

/** Lifecycle of a pool: it runs tasks until closed, or until a worker fails. */
export type AggregationPoolState = 'running' | 'closed' | 'failed';

interface Pending {
  readonly task: Task;
  readonly resolve: (kept: Float64Array | null) => void;
  readonly reject: (err: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  busy: { readonly id: number; readonly pending: Pending } | undefined;
}

/**
 * A fixed set of worker threads that run aggregation kernels over shared memory. Create one per
 * process with `createAggregationPool`, pass it to `aggregateParallel` as often as needed, and
 * `close` it at shutdown. Idle workers do not keep the process alive.
 */
export class AggregationPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private readonly spare: SharedArrayBuffer[] = [];
  private nextId = 1;
  private current: AggregationPoolState = 'running';
  private failure = '';

  /** @internal use `createAggregationPool`. */
  constructor(workers: number) {
    const entry = workerScript(__filename, 'worker');
    for (let i = 0; i < workers; i++) {
      const worker = new Worker(entry.file, { execArgv: entry.execArgv });
      const slot: Slot = { worker, busy: undefined };
      worker.on('message', (reply: TaskReply) => this.settle(slot, reply));
      worker.on('error', (err: Error) => this.fail(`worker failed: ${err.message}`));
      worker.on('exit', (code: number) => {
        if (this.current === 'running') this.fail(`worker exited with code ${code}`);
      });
      worker.unref();
      this.slots.push(slot);
    }
  }

  /** Number of worker threads. */
  get size(): number {
    return this.slots.length;
  }

  /** `running`, `closed` or `failed`. */
  get state(): AggregationPoolState {
    return this.current;
  }

  /**
   * Runs the tasks on the workers (each task on one worker, in queue order as workers free up) and
   * resolves with each task's answer, in the order given.
   *
   * @throws AggregationPoolError when the pool is closed or a worker failed.
   */
  run(tasks: readonly Task[]): Promise<(Float64Array | null)[]> {
    if (this.current !== 'running') {
      return Promise.reject(new AggregationPoolError(this.current, this.current === 'closed' ? 'close() was called' : this.failure));
    }
    const all = tasks.map(
      (task) =>
        new Promise<Float64Array | null>((resolve, reject) => {
          this.queue.push({ task, resolve, reject });
        }),
    );
    this.dispatch();
    return Promise.all(all);
  }

  /**
   * A shared scratch buffer of at least `bytes` bytes, reused across calls; its contents are
   * whatever the last user left. Give it back with `release`.
   */
  lease(bytes: number): SharedArrayBuffer {
    const i = this.spare.findIndex((b) => b.byteLength >= bytes);
    return i >= 0 ? this.spare.splice(i, 1)[0]! : new SharedArrayBuffer(bytes);
  }

  /** Returns a buffer from `lease`; the pool keeps a few for the next calls. */
  release(buffer: SharedArrayBuffer): void {
    if (this.current === 'running' && this.spare.length < 4) this.spare.push(buffer);
  }

  /** Stops the workers; tasks still queued or running are rejected. Idempotent. */
  async close(): Promise<void> {
    if (this.current === 'closed') return;
    this.current = 'closed';
    this.spare.length = 0;
    this.rejectAll(new AggregationPoolError('closed', 'close() was called'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.busy !== undefined) continue;
      const pending = this.queue.shift();
      if (pending === undefined) return;
      const id = this.nextId++;
      slot.busy = { id, pending };
      slot.worker.ref();
      slot.worker.postMessage({ id, task: pending.task });
    }
  }

  private settle(slot: Slot, reply: TaskReply): void {
    const busy = slot.busy;
    if (busy === undefined || busy.id !== reply.id) return;
    slot.busy = undefined;
    slot.worker.unref();
    if (reply.ok) busy.pending.resolve(reply.kept);
    else busy.pending.reject(new AggregationPoolError('failed', `task ${busy.pending.task.kind} failed: ${reply.message}`));
    this.dispatch();
  }

  private fail(reason: string): void {
    if (this.current !== 'running') return;
    this.current = 'failed';
    this.failure = reason;
    this.rejectAll(new AggregationPoolError('failed', reason));
    for (const s of this.slots) void s.worker.terminate();
  }

  private rejectAll(err: AggregationPoolError): void {
    for (const slot of this.slots) {
      if (slot.busy !== undefined) slot.busy.pending.reject(err);
      slot.busy = undefined;
      slot.worker.unref();
    }
    for (const pending of this.queue.splice(0)) pending.reject(err);
  }
}

/**
 * Starts a pool of worker threads for `aggregateParallel`. Create it once and reuse it; `close()`
 * it at shutdown.
 */
export function createAggregationPool(options: AggregationPoolOptions = {}): AggregationPool {
  const workers = options.workers ?? Math.max(1, cpus().length);
  if (!Number.isSafeInteger(workers) || workers < 1) {
    throw new AggregationInputError('options.workers', `must be a positive integer, got ${workers}`);
  }
  return new AggregationPool(workers);
}
