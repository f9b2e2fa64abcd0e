/**
 * A worker thread doing bulk compute (local training) can step back from the
 * cores it shares with its process's event loop. Linux keeps a nice value per
 * thread and setpriority takes a thread's id: raising the nice value of the
 * calling thread alone needs no privilege, and threads it starts later (an
 * onnxruntime pool) inherit it. Elsewhere one thread cannot be named, and
 * nothing is changed.
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** The kernel's id of the calling thread on Linux (from /proc/thread-self), undefined elsewhere. */
function kernelThreadId(): number | undefined {
  try {
    const id = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isSafeInteger(id) && id > 0 ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Raises the calling thread's nice value to `nice` (0-19) unless it is
 * already that high: only ever lowers its priority. Returns the nice value the
 * thread runs at, or undefined where threads cannot be told apart.
 */
export function yieldThreadPriority(nice: number): number | undefined {
  if (!Number.isInteger(nice) || nice < 0 || nice > 19) throw new RangeError(`nice must be an integer from 0 to 19, not ${nice}`);
  const thread = kernelThreadId();
  if (thread === undefined) return undefined;
  if (getPriority(thread) < nice) setPriority(thread, nice);
  return getPriority(thread);
}
