/**
 * Where a round's rule runs (the aggregator closing a round, a validator
 * checking it): inline (`aggregate`) for small rounds, on a
 * worker pool (`aggregateParallel`, byte-identical to `aggregate`) for large
 * ones, with the decoded updates placed in shared memory so the workers read
 * them in place. The pool starts on the first large round, so an aggregator of
 * small models never starts a worker, and a failed pool is replaced.
 *
 * The thresholds come from `npm run bench -- aggregation` on 2 cores (two
 * workers, an idle machine) and from rounds of the devnet:
 * - fedavg, one streaming pass, stays as fast inline up to millions of
 *   values; at n = 32, d = 1,663,370 the pool's is 1.4x the memory-bandwidth
 *   floor, inline 2.8x.
 * - The rules that select per coordinate or compare updates gain from the
 *   pool only past a few million values (d = 203,530: n = 8, 4 ms inline and
 *   3-5 on the pool; n = 16, 10-12 against 7-9; n = 32, 26-32 against 14-18).
 * - Below that, handing a round to the pool costs more than it saves where
 *   other threads want the cores: in devnet rounds of 4 updates of 203,530
 *   values (trimmed-mean) the rule took 15-150 ms on the pool against 3-20 ms
 *   inline, the pool's start in the first round 380-470 ms.
 */
import type { Logger } from '@learnchain/core';

import { aggregate } from './aggregate';
import { AggregationPoolError } from './errors';
import { aggregateParallel, sharedFloat32Array } from './parallel';
import { createAggregationPool, type AggregationPool } from './pool/pool';
import type { Rule } from './rule';
import type { AggregationResult, Update } from './types';

/** Runs a rule over a round's decoded updates; every runner gives the bytes of `aggregate`. */
export interface RuleRunner {
  /** Where each decoded update of a round goes (shared memory for worker threads); undefined: ordinary arrays. */
  allocate(rule: Rule, updates: number, dimension: number): (() => Float32Array) | undefined;
  run(rule: Rule, updates: readonly Update[], dimension: number): Promise<AggregationResult>;
}

/** `aggregate` on the calling thread. */
export const inlineRunner: RuleRunner = {
  allocate: () => undefined,
  run: async (rule, updates, dimension) => aggregate(rule, updates, undefined, { dimension }),
};

/** Values (updates × dimension) from which a round runs on the pool: for fedavg, and for every other rule. */
export interface PoolThresholds {
  readonly fedavg: number;
  readonly other: number;
}

export const POOL_THRESHOLDS: PoolThresholds = { fedavg: 8_000_000, other: 4_000_000 };

/** Whether a round of `updates` vectors of `dimension` values runs on the worker pool. */
export function runsOnPool(rule: Rule, updates: number, dimension: number, thresholds: PoolThresholds = POOL_THRESHOLDS): boolean {
  const values = updates * dimension;
  return values >= (rule.name === 'fedavg' ? thresholds.fedavg : thresholds.other);
}

export interface PoolRunnerOptions {
  readonly logger: Logger;
  /** Worker threads; default: one per CPU. */
  readonly workers?: number;
  readonly thresholds?: PoolThresholds;
}

/** A RuleRunner inline for small rounds, on a lazily started worker pool for large ones. */
export class PoolRuleRunner implements RuleRunner {
  private pool: AggregationPool | undefined;
  private state: 'running' | 'closed' = 'running';

  constructor(private readonly options: PoolRunnerOptions) {}

  allocate(rule: Rule, updates: number, dimension: number): (() => Float32Array) | undefined {
    if (!runsOnPool(rule, updates, dimension, this.options.thresholds)) return undefined;
    return () => sharedFloat32Array(dimension);
  }

  async run(rule: Rule, updates: readonly Update[], dimension: number): Promise<AggregationResult> {
    if (this.state === 'closed' || !runsOnPool(rule, updates.length, dimension, this.options.thresholds)) return aggregate(rule, updates, undefined, { dimension });
    try {
      return await aggregateParallel(rule, updates, undefined, { pool: this.started(), dimension });
    } catch (error) {
      if (!(error instanceof AggregationPoolError)) throw error;
      // The same bytes come from `aggregate`; the next large round starts a fresh pool.
      this.options.logger.error({ err: error }, 'aggregation pool failed; this round aggregates inline');
      this.pool = undefined;
      return aggregate(rule, updates, undefined, { dimension });
    }
  }

  /** Stops the workers (if any started); later rounds run inline. */
  async close(): Promise<void> {
    this.state = 'closed';
    const pool = this.pool;
    this.pool = undefined;
    await pool?.close();
  }

  private started(): AggregationPool {
    if (!this.pool || this.pool.state !== 'running') this.pool = createAggregationPool(this.options.workers === undefined ? {} : { workers: this.options.workers });
    return this.pool;
  }
}
