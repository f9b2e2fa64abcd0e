import { JoinQueue, type Queued } from '../store/joins';

interface Input extends Queued {
  readonly name: string;
}

const input = (name: string, nodeId: string, nonce: number): Input => ({ name, nodeId, nonce: new Uint8Array([nonce]) });

describe('JoinQueue', () => {
  it('writes joins that arrive together as one batch, one per node and nonce, answering each on its own', async () => {
    const batches: string[][] = [];
    const queue = new JoinQueue<Input, string>(async (batch) => {
      batches.push(batch.map((i) => i.name));
      return batch.map((i) => (i.name === 'bad' ? new Error('refused') : `ok:${i.name}`));
    });
    const results = await Promise.allSettled([
      queue.submit(input('a', 'n1', 1)),
      queue.submit(input('b', 'n2', 2)),
      queue.submit(input('again', 'n1', 3)), // same node: next batch
      queue.submit(input('bad', 'n3', 4)),
      queue.submit(input('replay', 'n4', 2)), // same nonce: next batch
    ]);
    expect(batches[0]).toEqual(['a']); // the first flush starts with what is queued then
    expect(batches.flat().sort()).toEqual(['a', 'again', 'b', 'bad', 'replay']);
    for (const batch of batches) expect(new Set(batch).size).toBe(batch.length);
    expect(batches.some((b) => b.includes('b') && b.includes('bad') && !b.includes('replay'))).toBe(true);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual(['ok:a', 'ok:b', 'ok:again', 'refused', 'ok:replay']);
  });

  it('fails every join of a batch whose write fails, and keeps serving later ones', async () => {
    let fail = true;
    const queue = new JoinQueue<Input, string>(async (batch) => {
      if (fail) throw new Error('database down');
      return batch.map((i) => i.name);
    });
    await expect(queue.submit(input('x', 'n1', 1))).rejects.toThrow('database down');
    fail = false;
    await expect(queue.submit(input('y', 'n1', 2))).resolves.toBe('y');
  });
});
