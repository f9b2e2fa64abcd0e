/**
 * Retries of transient gRPC failures within a deadline: exponential backoff
 * from `initialMs`, doubling to `maxMs`, never sleeping past the deadline.
 */
import { status as Status, type ServiceError } from '@grpc/grpc-js';

const TRANSIENT: ReadonlySet<number> = new Set([Status.UNAVAILABLE, Status.ABORTED, Status.DEADLINE_EXCEEDED, Status.RESOURCE_EXHAUSTED]);

/** Whether a failure may go away on its own (server restarting, overloaded, network blip). */
export function isTransient(error: unknown): boolean {
  const code = (error as Partial<ServiceError> | null)?.code;
  if (code === Status.RESOURCE_EXHAUSTED) {
    // Too large or a chunk over the limit is not transient; a full queue is.
    const message = String((error as Error).message ?? '');
    return !/limit|too large|exceeds/i.test(message);
  }
  return code !== undefined && TRANSIENT.has(code);
}

export interface RetryOptions {
  /** Unix ms after which no attempt starts. */
  readonly deadlineMs: number;
  readonly now: () => number;
  readonly signal?: AbortSignal;
  readonly initialMs?: number;
  readonly maxMs?: number;
  /** Called before each retry with the failure and the wait. */
  readonly onRetry?: (error: unknown, attempt: number, waitMs: number) => void;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs `attempt` until it succeeds, fails for good, or the deadline leaves no room for another try. */
export async function withRetries<T>(attempt: (n: number) => Promise<T>, options: RetryOptions): Promise<T> {
  let wait = options.initialMs ?? 200;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!isTransient(error) || options.signal?.aborted) throw error;
      const left = options.deadlineMs - options.now();
      if (left <= wait) throw error;
      options.onRetry?.(error, n, wait);
      await sleep(wait, options.signal);
      wait = Math.min(options.maxMs ?? 5000, wait * 2);
    }
  }
}
