import { loadMnist, partition, PartitionError, type PartitionOptions } from '../index';

const { train, test } = loadMnist();

describe('MNIST split', () => {
  it('is 8,000/2,000 with every digit present in both parts and stable across calls', () => {
    expect(train.count).toBe(8000);
    expect(test.count).toBe(2000);
    expect(train.images.length).toBe(8000 * 784);
    for (let d = 0; d < 10; d++) {
      expect(train.labels.includes(d)).toBe(true);
      expect(test.labels.includes(d)).toBe(true);
    }
    expect(Math.max(...train.images.subarray(0, 784 * 50))).toBeLessThanOrEqual(1);
  });
});

const CASES: PartitionOptions[] = [
  { kind: 'iid', clients: 7, seed: 1 },
  { kind: 'dirichlet', clients: 10, alpha: 0.3, seed: 2 },
  { kind: 'shards', clients: 20, shardsPerClient: 2, seed: 3 },
];

describe('partitioners', () => {
  it.each(CASES.map((c) => [c.kind, c] as const))('%s covers every sample exactly once and is deterministic', (_kind, options) => {
    const parts = partition(train, options);
    expect(parts).toHaveLength(options.clients);
    const seen = new Uint8Array(train.count);
    for (const p of parts) {
      expect(p.images.length).toBe(p.count * 784);
      p.indices.forEach((j, k) => {
        seen[j] = (seen[j] ?? 0) + 1;
        expect(p.labels[k]).toBe(train.labels[j]);
      });
    }
    expect(seen.every((n) => n === 1)).toBe(true);
    const again = partition(train, options);
    expect(again.map((p) => Array.from(p.indices))).toEqual(parts.map((p) => Array.from(p.indices)));
    const other = partition(train, { ...options, seed: options.seed + 100 });
    expect(other.map((p) => Array.from(p.indices))).not.toEqual(parts.map((p) => Array.from(p.indices)));
  });

  it('skews labels: shards give each client at most 2 or so classes, iid gives all 10', () => {
    const classes = (labels: Uint8Array): number => new Set(labels).size;
    const shards = partition(train, { kind: 'shards', clients: 20, shardsPerClient: 2, seed: 3 });
    expect(Math.max(...shards.map((s) => classes(s.labels)))).toBeLessThanOrEqual(4);
    const iid = partition(train, { kind: 'iid', clients: 5, seed: 3 });
    expect(Math.min(...iid.map((s) => classes(s.labels)))).toBe(10);
  });

  it('rejects impossible requests', () => {
    expect(() => partition(test, { kind: 'shards', clients: 1500, shardsPerClient: 2, seed: 1 })).toThrow(PartitionError);
    expect(() => partition(test, { kind: 'dirichlet', clients: 3, alpha: 0, seed: 1 })).toThrow(PartitionError);
  });
});
