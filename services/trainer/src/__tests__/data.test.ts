import { loadMnist } from '@learnchain/model';

import { loadShard, type ShardSelection } from '../data';

const selection = (clientIndex: number, seed = 9): ShardSelection => ({ dataset: 'mnist', partition: { kind: 'dirichlet', alpha: 0.5 }, clients: 4, clientIndex, seed });

describe('loadShard', () => {
  it('gives each of N trainers with the same seed a disjoint part, together the whole training split', () => {
    const shards = [0, 1, 2, 3].map((k) => loadShard(selection(k)));
    const total = shards.reduce((n, s) => n + s.count, 0);
    expect(total).toBe(loadMnist().train.count);
    const seen = new Set<number>();
    for (const shard of shards) for (const i of shard.indices) seen.add(i);
    expect(seen.size).toBe(total);
    const again = loadShard(selection(2));
    expect(Array.from(again.labels)).toEqual(Array.from(shards[2]!.labels));
    expect(Array.from(loadShard(selection(2, 10)).labels)).not.toEqual(Array.from(shards[2]!.labels));
  });

  it('refuses an index outside the partition', () => {
    expect(() => loadShard(selection(4))).toThrow(/outside 0..3/);
  });
});
