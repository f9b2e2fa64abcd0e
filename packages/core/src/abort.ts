/**
 * Settles like `work`, or rejects as soon as `signal` aborts, with `aborted()`
 * (default: the signal's reason). The work is then left to finish unobserved:
 * a caller giving up does not cancel what others may be waiting on too.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined, aborted: () => unknown = () => signal?.reason): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(aborted());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(aborted());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** The wait before try `attempt` + 1 (0 for the first retry): `firstMs`, doubling each time, at most `lastMs`. */
export function backoffMs(attempt: number, firstMs: number, lastMs: number): number {
  return Math.min(lastMs, firstMs * 2 ** Math.min(attempt, 30));
}
