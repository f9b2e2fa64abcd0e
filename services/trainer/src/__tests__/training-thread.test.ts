import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';

import { buildModel, loadMnist, subset, trainLocal } from '@learnchain/model';

import { TrainingThread } from '../adapters/training-thread';
import { TrainingThreadError } from '../errors';

const { train } = loadMnist();
const shard = subset(train, Array.from({ length: 128 }, (_, i) => i * 3));
const model = buildModel('mlp', { seed: 0 });
const options = { epochs: 1, batchSize: 32, lr: 0.05, momentum: 0.9, seed: 7, threads: 1 };

describe('TrainingThread', () => {
  let thread: TrainingThread;
  beforeEach(() => {
    thread = new TrainingThread(shard);
  });
  afterEach(() => thread.close());

  it('trains on its own thread to exactly what trainLocal computes on the calling one', async () => {
    const here = await trainLocal(model, model.initialParams, shard, options);
    const there = await thread.train('mlp', model.initialParams, options);
    expect(there.provider).toBe(here.provider);
    expect(there.losses).toEqual(here.losses);
    expect(Buffer.from(there.params.buffer, there.params.byteOffset, there.params.byteLength).equals(Buffer.from(here.params.buffer, here.params.byteOffset, here.params.byteLength))).toBe(true);
  });

  it("answers a failed training with the thread's error, and trains again after it", async () => {
    await expect(thread.train('mlp', new Float32Array(3), options)).rejects.toMatchObject({ name: 'ParameterSizeError' });
    await expect(thread.train('no-such-model', model.initialParams, options)).rejects.toMatchObject({ name: 'UnknownModelError' });
    expect((await thread.train('mlp', model.initialParams, options)).losses).toHaveLength(Math.ceil(shard.count / options.batchSize));
  });

  it("trains at the nice value it was given, and leaves the event loop's as it was", async () => {
    const before = getPriority();
    // Above the nice value this process runs at (it may run niced already), so that only the training thread has it.
    const nice = Math.min(19, Math.max(7, before + 1));
    const niced = new TrainingThread(shard, nice);
    const warnings: string[] = [];
    try {
      await niced.train('mlp', model.initialParams, { ...options, onWarning: (w) => warnings.push(w) });
      if (process.platform !== 'linux') {
        expect(warnings.join(' ')).toMatch(/cannot lower one thread's priority/);
        return;
      }
      expect(warnings).toEqual([]);
      // The nice value of each of this process's threads (field 19 of /proc/self/task/TID/stat).
      const nices = readdirSync('/proc/self/task').map((tid) => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]?.split(' ')[16]));
      expect(nices.filter((n) => n === nice).length).toBeGreaterThanOrEqual(1);
      expect(getPriority()).toBe(before);
    } finally {
      await niced.close();
    }
  });

  it('fails what is in flight when it closes', async () => {
    const failed = expect(thread.train('mlp', model.initialParams, { ...options, epochs: 5 })).rejects.toBeInstanceOf(TrainingThreadError);
    await thread.close();
    await failed;
  });
});
