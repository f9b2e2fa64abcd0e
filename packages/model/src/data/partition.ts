/**
 * Seeded partitioners that split a dataset across clients: IID, Dirichlet(α)
 * label skew, and McMahan's shards-per-client. Every sample lands in exactly
 * one client's shard.
 */
import { PartitionError } from '../errors';
import { Random } from '../random';
import { subset, type Dataset } from './dataset';

/** How to split. */
export interface PartitionOptions {
  readonly kind: 'iid' | 'dirichlet' | 'shards';
  readonly clients: number;
  /** Dirichlet concentration (smaller is more skewed); default 0.5. */
  readonly alpha?: number;
  /** Shards per client for kind 'shards'; default 2. */
  readonly shardsPerClient?: number;
  readonly seed: number;
}

/** One client's part: its samples plus their indices in the source dataset. */
export interface Shard extends Dataset {
  readonly indices: Uint32Array;
}

function byClass(data: Dataset): number[][] {
  const groups: number[][] = Array.from({ length: data.classes }, () => []);
  for (let i = 0; i < data.count; i++) groups[data.labels[i] ?? 0]?.push(i);
  return groups;
}

function iid(data: Dataset, clients: number, rng: Random): number[][] {
  const order = rng.permutation(data.count);
  return Array.from({ length: clients }, (_, c) => {
    const start = Math.floor((c * data.count) / clients);
    const end = Math.floor(((c + 1) * data.count) / clients);
    return Array.from(order.subarray(start, end));
  });
}

function dirichlet(data: Dataset, clients: number, alpha: number, rng: Random): number[][] {
  if (!(alpha > 0)) throw new PartitionError(`alpha must be positive, got ${alpha}`);
  const out: number[][] = Array.from({ length: clients }, () => []);
  for (const members of byClass(data)) {
    const order = Uint32Array.from(members);
    rng.shuffle(order);
    const draws = Array.from({ length: clients }, () => rng.gamma(alpha));
    const total = draws.reduce((a, b) => a + b, 0);
    let start = 0;
    let cumulative = 0;
    for (let c = 0; c < clients; c++) {
      cumulative += (draws[c] ?? 0) / total;
      const end = c === clients - 1 ? order.length : Math.round(cumulative * order.length);
      out[c]?.push(...order.subarray(start, Math.max(start, end)));
      start = Math.max(start, end);
    }
  }
  return out;
}

function shards(data: Dataset, clients: number, perClient: number, rng: Random): number[][] {
  const count = clients * perClient;
  if (count > data.count) throw new PartitionError(`${count} shards need at least ${count} samples, have ${data.count}`);
  const sorted = byClass(data).flat();
  const assignment = rng.permutation(count);
  const out: number[][] = Array.from({ length: clients }, () => []);
  for (let s = 0; s < count; s++) {
    const shard = assignment[s] ?? 0;
    const start = Math.floor((shard * data.count) / count);
    const end = Math.floor(((shard + 1) * data.count) / count);
    out[Math.floor(s / perClient)]?.push(...sorted.slice(start, end));
  }
  return out;
}

/** Splits a dataset across clients, deterministically for a seed. */
export function partition(data: Dataset, options: PartitionOptions): Shard[] {
  const { clients, seed } = options;
  if (!Number.isInteger(clients) || clients < 1) throw new PartitionError(`clients must be a positive integer, got ${clients}`);
  if (clients > data.count) throw new PartitionError(`${clients} clients but only ${data.count} samples`);
  const rng = new Random(seed);
  let groups: number[][];
  switch (options.kind) {
    case 'iid':
      groups = iid(data, clients, rng);
      break;
    case 'dirichlet':
      groups = dirichlet(data, clients, options.alpha ?? 0.5, rng);
      break;
    case 'shards': {
      const per = options.shardsPerClient ?? 2;
      if (!Number.isInteger(per) || per < 1) throw new PartitionError(`shardsPerClient must be a positive integer, got ${per}`);
      groups = shards(data, clients, per, rng);
      break;
    }
  }
  return groups.map((g) => {
    const indices = Uint32Array.from(g).sort();
    return { ...subset(data, indices), indices };
  });
}
