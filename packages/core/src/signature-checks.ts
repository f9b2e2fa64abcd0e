/**
 * Checking many ed25519 signatures at once, on the event loop or on worker
 * threads. A validator checks the signature of every transaction it hears of;
 * under load that is the largest single cost of its event loop, and one that
 * spare cores can take: `SignatureThreads` spreads a batch over worker
 * threads. A failed worker never turns into a verdict: what it held, and
 * every later batch, is checked on the event loop instead.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

import { verifyBytes } from './identity';
import { packTask, wellFormed, type SignatureReply, type SignedBytes } from './signature-task';
import { workerScript } from './worker-script';

export type { SignedBytes } from './signature-task';

/** The port. */
export interface SignatureChecks {
  /** Worker threads doing the checks (0: the event loop does). */
  readonly threads: number;
  /** Whether each signature verifies, in the order given. */
  verify(items: readonly SignedBytes[]): Promise<boolean[]>;
  close(): Promise<void>;
}

function verifyAll(items: readonly SignedBytes[]): boolean[] {
  return items.map((s) => verifyBytes(s.publicKey, s.message, s.signature));
}

/** Checks on the event loop (one core, or no cores to spare). */
export const inlineSignatureChecks: SignatureChecks = {
  threads: 0,
  verify: async (items) => verifyAll(items),
  close: async () => undefined,
};

/** Below this many signatures a batch is not split further (a hop costs a few tens of microseconds). */
const MIN_SHARE = 16;

interface Thread {
  readonly worker: Worker;
  /** Tasks sent and not answered, by id. */
  readonly pending: Map<number, { readonly items: readonly SignedBytes[]; readonly resolve: (ok: boolean[]) => void }>;
}

/**
 * Worker threads that check signatures: a large batch is split across them;
 * small requests made in one turn of the event loop (a transaction per client
 * call) are sent together.
 */
export class SignatureThreads implements SignatureChecks {
  private readonly workers: Thread[] = [];
  private nextId = 1;
  private turn = 0;
  private failed = false;
  /** Small requests waiting for the end of this turn of the event loop, and the verdicts they will share. */
  private gathered: SignedBytes[] = [];
  private gathering: Promise<boolean[]> | undefined;

  constructor(
    count: number,
    /** Told once when a worker fails (not when the threads are closed). */
    private readonly onFailure: (reason: string) => void = () => undefined,
  ) {
    const entry = workerScript(__filename, 'signature-worker');
    for (let i = 0; i < count; i++) {
      const worker = new Worker(entry.file, { execArgv: entry.execArgv });
      const thread: Thread = { worker, pending: new Map() };
      worker.on('message', (reply: SignatureReply) => {
        const task = thread.pending.get(reply.id);
        if (!task) return;
        thread.pending.delete(reply.id);
        if (thread.pending.size === 0) worker.unref();
        // A key or signature of the wrong length was packed as zeros: it never verifies.
        task.resolve(Array.from(reply.ok, (b, i) => b === 1 && wellFormed(task.items[i] as SignedBytes)));
      });
      worker.on('error', (error: Error) => this.fail(`a signature thread failed: ${error.message}`));
      worker.on('exit', (code: number) => this.fail(`a signature thread exited with code ${code}`));
      worker.unref();
      this.workers.push(thread);
    }
  }

  get threads(): number {
    return this.workers.length;
  }

  /** True once a worker failed: every check runs on the event loop from then on. */
  get degraded(): boolean {
    return this.failed;
  }

  async verify(items: readonly SignedBytes[]): Promise<boolean[]> {
    if (this.failed || items.length === 0) return verifyAll(items);
    // Small requests of one turn of the event loop (one transaction per client call) travel together.
    if (items.length < MIN_SHARE) return this.gather(items);
    return this.spread(items);
  }

  private gather(items: readonly SignedBytes[]): Promise<boolean[]> {
    const at = this.gathered.length;
    this.gathered.push(...items);
    if (!this.gathering) {
      this.gathering = new Promise<boolean[]>((resolve) =>
        setImmediate(() => {
          const all = this.gathered;
          this.gathered = [];
          this.gathering = undefined;
          resolve(this.failed ? verifyAll(all) : this.spread(all));
        }),
      );
    }
    return this.gathering.then((verdicts) => verdicts.slice(at, at + items.length));
  }

  private async spread(items: readonly SignedBytes[]): Promise<boolean[]> {
    const shares = Math.max(1, Math.min(this.workers.length, Math.floor(items.length / MIN_SHARE)));
    const per = Math.ceil(items.length / shares);
    const parts: Promise<boolean[]>[] = [];
    for (let at = 0; at < items.length; at += per) parts.push(this.send(items.slice(at, at + per)));
    return (await Promise.all(parts)).flat();
  }

  private send(items: readonly SignedBytes[]): Promise<boolean[]> {
    const thread = this.workers[this.turn++ % this.workers.length] as Thread;
    const id = this.nextId++;
    return new Promise((resolve) => {
      thread.pending.set(id, { items, resolve });
      thread.worker.ref();
      const task = packTask(id, items);
      thread.worker.postMessage(task, [task.packed.buffer as ArrayBuffer, task.ends.buffer as ArrayBuffer]);
    });
  }

  /** A worker died (or the threads are closed): what they held is checked here, and so is everything after. */
  private fail(reason?: string): void {
    if (this.failed) return;
    this.failed = true;
    if (reason !== undefined) this.onFailure(reason);
    for (const thread of this.workers) {
      for (const task of thread.pending.values()) task.resolve(verifyAll(task.items));
      thread.pending.clear();
      void thread.worker.terminate();
    }
  }

  async close(): Promise<void> {
    this.fail();
    await Promise.all(this.workers.map((t) => t.worker.terminate()));
  }
}

/**
 * Signature checks for `threads` worker threads: 0 checks on the event loop;
 * -1 takes one thread per core beyond the first two, at most four (none on a
 * machine of one or two cores, where the event loop and the database
 * already keep them busy).
 */
export function signatureChecks(threads: number, onFailure?: (reason: string) => void): SignatureChecks {
  const count = threads < 0 ? Math.min(4, Math.max(0, availableParallelism() - 2)) : threads;
  return count === 0 ? inlineSignatureChecks : new SignatureThreads(count, onFailure);
}
