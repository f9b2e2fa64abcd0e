import type { v1 } from '@learnchain/proto';

import { SendQueue } from '../send-queue';

const vote = (height: number): v1.ConsensusMessage => ({ vote: { height } as v1.Vote });
const txs = (n: number): v1.ConsensusMessage => ({ txs: { txs: Array.from({ length: n }, () => ({}) as v1.Tx) } });

function drain(queue: SendQueue): v1.ConsensusMessage[] {
  const out: v1.ConsensusMessage[] = [];
  for (let m = queue.shift(); m !== undefined; m = queue.shift()) out.push(m);
  return out;
}

describe('SendQueue', () => {
  it('keeps the newest messages when full, dropping the oldest', () => {
    const queue = new SendQueue(3, 2);
    expect([1, 2, 3].map((h) => queue.push(vote(h), true))).toEqual(['queued', 'queued', 'queued']);
    expect(queue.push(vote(4), false)).toBe('displaced');
    expect(drain(queue).map((m) => m.vote?.height)).toEqual([2, 3, 4]);
  });

  it('queues no transaction batch while the link is down, and at most its cap while up', () => {
    const queue = new SendQueue(100, 2);
    expect(queue.push(txs(1000), false)).toBe('skipped');
    expect(queue.push(vote(1), false)).toBe('queued');
    expect([txs(10), txs(10), txs(10)].map((m) => queue.push(m, true))).toEqual(['queued', 'queued', 'skipped']);
    expect(queue.txBatchesQueued).toBe(2);
    // Room again once one has left the queue, by being written or displaced.
    expect(queue.shift()?.vote?.height).toBe(1);
    expect(queue.shift()?.txs?.txs).toHaveLength(10);
    expect(queue.push(txs(5), true)).toBe('queued');
    expect(drain(queue).map((m) => m.txs?.txs?.length)).toEqual([10, 5]);
    expect(queue.txBatchesQueued).toBe(0);
    const full = new SendQueue(2, 2);
    full.push(txs(1), true);
    full.push(vote(1), true);
    expect(full.push(vote(2), true)).toBe('displaced');
    expect(full.txBatchesQueued).toBe(0);
  });
});
