/**
 * This node's private shard: partition K of N of the dataset's training split,
 * by a seeded partitioner, so every trainer given the same seed agrees on the
 * split and takes a different part of it. The shard stays in this process.
 */
import { loadMnist, partition, type PartitionOptions, type Shard } from '@learnchain/model';

/** A partitioner as written on the command line: iid, dirichlet:ALPHA or shards:PER_CLIENT. */
export type PartitionSpec =
  | { readonly kind: 'iid' }
  | { readonly kind: 'dirichlet'; readonly alpha: number }
  | { readonly kind: 'shards'; readonly perClient: number };

/** Parses 'iid' | 'dirichlet:0.5' | 'shards:2'; throws an Error whose message is the reason. */
export function parsePartition(text: string): PartitionSpec {
  const [kind, arg, ...rest] = text.trim().split(':');
  if (rest.length > 0) throw new Error(`expected iid, dirichlet:ALPHA or shards:N, got '${text}'`);
  switch (kind) {
    case 'iid':
      if (arg !== undefined) throw new Error(`iid takes no argument, got '${text}'`);
      return { kind: 'iid' };
    case 'dirichlet': {
      const alpha = arg === undefined ? 0.5 : Number(arg);
      if (!Number.isFinite(alpha) || alpha <= 0) throw new Error(`dirichlet needs a positive alpha, got '${arg ?? ''}'`);
      return { kind: 'dirichlet', alpha };
    }
    case 'shards': {
      const per = arg === undefined ? 2 : Number(arg);
      if (!Number.isInteger(per) || per < 1) throw new Error(`shards needs a positive integer, got '${arg ?? ''}'`);
      return { kind: 'shards', perClient: per };
    }
    default:
      throw new Error(`expected iid, dirichlet:ALPHA or shards:N, got '${text}'`);
  }
}

export interface ShardSelection {
  readonly dataset: 'mnist';
  readonly partition: PartitionSpec;
  readonly clients: number;
  readonly clientIndex: number;
  readonly seed: number;
}

function optionsOf(selection: ShardSelection): PartitionOptions {
  const { clients, seed } = selection;
  const p = selection.partition;
  switch (p.kind) {
    case 'iid':
      return { kind: 'iid', clients, seed };
    case 'dirichlet':
      return { kind: 'dirichlet', clients, seed, alpha: p.alpha };
    case 'shards':
      return { kind: 'shards', clients, seed, shardsPerClient: p.perClient };
  }
}

/** Partition `clientIndex` of the dataset's training split. */
export function loadShard(selection: ShardSelection): Shard {
  const { train } = loadMnist();
  const shards = partition(train, optionsOf(selection));
  const shard = shards[selection.clientIndex];
  if (!shard) throw new RangeError(`client index ${selection.clientIndex} is outside 0..${shards.length - 1}`);
  return shard;
}
