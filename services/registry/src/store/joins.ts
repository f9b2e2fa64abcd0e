/**
 * Group admission: joins that arrive together are written in one transaction
 * with a fixed number of statements (consume the nonces, lock the members, take
 * a run of epochs, upsert the members, record the changes), so the epoch row's
 * lock is held once per batch rather than once per join. Epochs are handed out
 * in queue order within the batch and in commit order across batches.
 */

export interface Queued {
  readonly nodeId: string;
  readonly nonce: Uint8Array;
}

interface Pending<I, O> {
  readonly input: I;
  resolve(output: O): void;
  reject(error: unknown): void;
}

/** The most joins one transaction carries. */
const MAX_BATCH = 128;

export class JoinQueue<I extends Queued, O> {
  private queue: Array<Pending<I, O>> = [];
  private flushing = false;

  /** `write` answers each input of a batch, in order, with its output or the error that input alone meets. */
  constructor(private readonly write: (batch: readonly I[]) => Promise<ReadonlyArray<O | Error>>) {}

  submit(input: I): Promise<O> {
    return new Promise((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        // One join per node and per nonce in a batch; a second one waits for the next.
        const nodes = new Set<string>();
        const nonces = new Set<string>();
        const batch: Array<Pending<I, O>> = [];
        const rest: Array<Pending<I, O>> = [];
        for (const item of this.queue) {
          const nonce = Buffer.from(item.input.nonce).toString('hex');
          if (batch.length < MAX_BATCH && !nodes.has(item.input.nodeId) && !nonces.has(nonce)) {
            nodes.add(item.input.nodeId);
            nonces.add(nonce);
            batch.push(item);
          } else rest.push(item);
        }
        this.queue = rest;
        try {
          const outputs = await this.write(batch.map((item) => item.input));
          batch.forEach((item, k) => {
            const output = outputs[k];
            if (output instanceof Error) item.reject(output);
            else item.resolve(output as O);
          });
        } catch (error) {
          for (const item of batch) item.reject(error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
