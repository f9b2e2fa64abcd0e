import { getPriority } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

import { yieldThreadPriority } from '../thread-priority';

/** What yieldThreadPriority answers to each of `values`, called in turn on a fresh worker thread (null: undefined). */
function inWorker(values: readonly number[]): Promise<(number | null)[]> {
  const module = JSON.stringify(join(__dirname, '..', 'thread-priority.ts'));
  const code = `const { parentPort, workerData } = require('node:worker_threads');
const { yieldThreadPriority } = require(${module});
parentPort.postMessage(workerData.map((v) => yieldThreadPriority(v) ?? null));`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: values, execArgv: ['--require', require.resolve('tsx/cjs')] });
    worker.once('message', (answers: (number | null)[]) => void worker.terminate().then(() => resolve(answers)));
    worker.once('error', reject);
  });
}

describe('yieldThreadPriority', () => {
  it("lowers the calling thread's priority alone, and never raises it back", async () => {
    const before = getPriority();
    // A thread starts at its creator's nice value: ask for one above it (this process may run niced already), then a lower one.
    const niced = Math.min(19, Math.max(5, before + 1));
    const answers = await inWorker([niced, before]);
    if (process.platform !== 'linux') {
      expect(answers).toEqual([null, null]);
      return;
    }
    expect(answers).toEqual([niced, niced]);
    expect(getPriority()).toBe(before);
  });

  it('refuses a nice value outside 0-19', () => {
    expect(() => yieldThreadPriority(20)).toThrow(RangeError);
    expect(() => yieldThreadPriority(-1)).toThrow(RangeError);
    expect(() => yieldThreadPriority(2.5)).toThrow(RangeError);
  });
});
