import { apply, decide, fusesNorms, prepare, rewritesValues, screen } from './aggregate';
import type { Prepared } from './aggregate';
import { checkBudget, trimCount } from './budget';
import { COLUMN_BLOCK } from './coordinatewise';
import { distancesFromGram, gramOfRanges, gramRanges } from './distances';
import type { Candidate } from './hygiene';
import { createAggregationPool } from './pool/pool';
import type { AggregationPool } from './pool/pool';
import type { SharedView, Task } from './pool/protocol';
import type { Rule } from './rule';
import { medianOutcomes, trimmedMeanOutcomes } from './rules/coordinatewise';
import { fedavgOutcomes } from './rules/fedavg';
import { bestOutcomes, bulyanOutcomes, bulyanSelection, chooseBest } from './rules/krum';
import type { AggregateOptions, AggregationResult, RuleResult, Update } from './types';

/** Options of `aggregateParallel`. */
export interface ParallelAggregateOptions extends AggregateOptions {
  /** The pool to run on; when absent, a pool is started for this call and closed after it. */
  readonly pool?: AggregationPool;
}

/** Coordinate ranges per worker: more than one, so a worker slowed by other load does not hold up the rest. */
const RANGES_PER_WORKER = 4;

/**
 * A Float32Array in shared memory, for update values that `aggregateParallel` then reads in place
 * (values in ordinary memory are copied into shared memory first, once per call).
 */
export function sharedFloat32Array(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT));
}

function viewOf(x: Float32Array | Float64Array): SharedView {
  if (!(x.buffer instanceof SharedArrayBuffer)) throw new Error('viewOf needs an array in shared memory');
  return { buffer: x.buffer, byteOffset: x.byteOffset, length: x.length };
}

/** The values as a shared view: in place when already shared, else a shared copy. */
function share(x: Float32Array): SharedView {
  if (x.buffer instanceof SharedArrayBuffer) return { buffer: x.buffer, byteOffset: x.byteOffset, length: x.length };
  const copy = sharedFloat32Array(x.length);
  copy.set(x);
  return viewOf(copy);
}

/** Splits [0, d) into up to `parts` ranges whose inner bounds are multiples of `align`. */
function ranges(d: number, parts: number, align: number): [number, number][] {
  const units = Math.ceil(d / align);
  const per = Math.max(1, Math.ceil(units / parts));
  const out: [number, number][] = [];
  for (let u = 0; u < units; u += per) out.push([u * align, Math.min(d, (u + per) * align)]);
  return out;
}

/** Element-wise sum of per-task kept counts (integers, so the order of addition does not matter). */
function sumKept(parts: readonly (Float64Array | null)[], n: number): Float64Array {
  const kept = new Float64Array(n);
  for (const p of parts) if (p !== null) for (let i = 0; i < n; i++) kept[i]! += p[i]!;
  return kept;
}

/** A private copy of a shared aggregate, so callers never hold shared memory. */
function unshared(x: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  out.set(x);
  return out;
}

class Runner {
  private readonly parts: number;
  constructor(
    private readonly pool: AggregationPool,
    private readonly d: number,
  ) {
    this.parts = pool.size * RANGES_PER_WORKER;
  }

  /** Runs one range task per coordinate range, all writing into one shared aggregate. */
  async columns(make: (from: number, to: number, out: SharedView) => Task): Promise<{ out: Float32Array; kept: (Float64Array | null)[] }> {
    const scratch = this.pool.lease(this.d * Float32Array.BYTES_PER_ELEMENT);
    try {
      const out = new Float32Array(scratch, 0, this.d);
      const view = viewOf(out);
      const kept = await this.pool.run(ranges(this.d, this.parts, COLUMN_BLOCK).map(([from, to]) => make(from, to, view)));
      return { out: unshared(out), kept };
    } finally {
      this.pool.release(scratch);
    }
  }

  /** Sums of squares of each row, rows split across the workers. */
  squaresTasks(rows: readonly SharedView[], out: Float64Array): Task[] {
    const tasks: Task[] = [];
    for (let i = 0; i < rows.length; i += 4) {
      const indices = [i, i + 1, i + 2, i + 3].filter((r) => r < rows.length);
      tasks.push({ kind: 'squares', rows, indices, out: viewOf(out) });
    }
    return tasks;
  }

  /** The Gram matrix of the rows, one task per range of coordinates; with `squares`, the rows' sums of squares too. */
  async gram(rows: readonly SharedView[], squares: Float64Array | null): Promise<Float64Array> {
    const n = rows.length;
    const ranges = gramRanges(this.d);
    const partials = new Float64Array(new SharedArrayBuffer(ranges.length * n * n * Float64Array.BYTES_PER_ELEMENT));
    const partial = (i: number): Float64Array => partials.subarray(i * n * n, (i + 1) * n * n);
    const tasks: Task[] = ranges.map(([from, to], i) => ({ kind: 'gram-range', rows, from, to, gram: viewOf(partial(i)) }));
    if (squares !== null) tasks.push(...this.squaresTasks(rows, squares));
    await this.pool.run(tasks);
    return gramOfRanges(ranges.map((_, i) => partial(i)), n);
  }
}

/** The Gram matrix of a subset of rows (positions `keep`, ascending) from the Gram matrix of all. */
function subGram(g: Float64Array, n: number, keep: readonly number[]): Float64Array {
  const m = keep.length;
  const out = new Float64Array(m * m);
  keep.forEach((a, p) => keep.forEach((b, q) => (out[p * m + q] = g[a * n + b]!)));
  return out;
}

/** Coordinates per chunk of the fedavg pipeline: about 24 chunks, so the stages overlap from the start. */
function pipelineChunk(d: number): number {
  return Math.max(4096, Math.ceil(d / 24 / 4096) * 4096);
}

/**
 * fedavg's weighted mean and norms as a pipeline: stage s adds its rows (a run of whole groups of
 * four) to the running sums after stage s−1 has added its rows to the same chunk.
 */
function pipelineTasks(
  acc: Float64Array,
  rows: readonly SharedView[],
  weights: readonly number[],
  d: number,
  workers: number,
  squares: Float64Array,
  out: SharedView,
): Task[] {
  const n = rows.length;
  const groups = Math.floor(n / 4);
  const stages = Math.max(1, Math.min(workers, groups));
  const progress = new SharedArrayBuffer(stages * Int32Array.BYTES_PER_ELEMENT);
  const tasks: Task[] = [];
  for (let s = 0; s < stages; s++) {
    const rowFrom = 4 * Math.floor((s * groups) / stages);
    const rowTo = s === stages - 1 ? n : 4 * Math.floor(((s + 1) * groups) / stages);
    tasks.push({
      kind: 'weighted-mean-stage',
      rows,
      weights,
      rowFrom,
      rowTo,
      stage: s,
      last: s === stages - 1,
      chunk: pipelineChunk(d),
      acc: viewOf(acc),
      squares: viewOf(squares),
      progress,
      out,
    });
  }
  return tasks;
}

/** Whether the rule is a coordinate-wise order statistic. */
function isCoordinatewise(rule: Rule): boolean {
  return rule.name === 'median' || rule.name === 'trimmed-mean';
}

/** Whether the rule scores updates by pairwise distances. */
function usesGram(rule: Rule): boolean {
  return rule.name === 'krum' || rule.name === 'multi-krum' || rule.name === 'bulyan';
}

async function applyParallel(
  runner: Runner,
  prepared: Prepared,
  candidates: readonly Candidate[],
  rows: readonly SharedView[],
  knownGram: Float64Array | undefined,
): Promise<RuleResult> {
  const rule = prepared.rule;
  const n = candidates.length;
  const d = prepared.dimension;
  const all = Array.from({ length: n }, (_, i) => i);
  const distances = async (): Promise<Float64Array> => distancesFromGram(knownGram ?? (await runner.gram(rows, null)), n);
  switch (rule.name) {
    case 'fedavg': {
      const weights = candidates.map((c) => c.weight);
      const { out } = await runner.columns((from, to, view) => ({ kind: 'weighted-mean', rows, weights, from, to, out: view }));
      return { aggregate: out, outcomes: fedavgOutcomes(weights) };
    }
    case 'median': {
      const { out, kept } = await runner.columns((from, to, view) => ({ kind: 'median', rows, order: all, from, to, out: view }));
      return { aggregate: out, outcomes: medianOutcomes(sumKept(kept, n), d) };
    }
    case 'trimmed-mean': {
      const k = trimCount(rule.beta, n);
      const { out, kept } = await runner.columns((from, to, view) => ({ kind: 'trimmed-mean', rows, order: all, k, from, to, out: view }));
      return { aggregate: out, outcomes: trimmedMeanOutcomes(sumKept(kept, n), d, k) };
    }
    case 'krum':
    case 'multi-krum': {
      const m = rule.name === 'krum' ? 1 : rule.m;
      const choice = chooseBest(await distances(), n, rule.f, m);
      const aggregate =
        m === 1
          ? Float32Array.from(candidates[choice.chosen[0]!]!.values)
          : (await runner.columns((from, to, view) => ({ kind: 'mean-of-rows', rows, order: choice.chosen, from, to, out: view }))).out;
      return { aggregate, outcomes: bestOutcomes(candidates, choice, rule.name) };
    }
    case 'bulyan': {
      const { scores, selected } = bulyanSelection(await distances(), n, rule.f);
      const beta = n - 4 * rule.f;
      const { out, kept } = await runner.columns((from, to, view) => ({
        kind: 'closest-to-median',
        rows,
        order: selected,
        beta,
        from,
        to,
        out: view,
      }));
      return { aggregate: out, outcomes: bulyanOutcomes(candidates, rule.f, scores, selected, sumKept(kept, selected.length), d) };
    }
    case 'centered-clipping':
    case 'geometric-median':
      return apply(rule, candidates, d);
  }
}

async function aggregateOn(
  pool: AggregationPool,
  rule: Rule,
  updates: readonly Update[],
  weights: readonly number[] | undefined,
  options: AggregateOptions,
): Promise<AggregationResult> {
  const prepared = prepare(rule, updates, weights, options);
  const { shape, dimension: d } = prepared;
  const runner = new Runner(pool, d);
  const shapedRows = shape.shaped.map((s) => share(s.values));
  const squares = new Float64Array(new SharedArrayBuffer(shape.shaped.length * Float64Array.BYTES_PER_ELEMENT));

  // a result computed before hygiene, over every shaped update
  let early: RuleResult | undefined;
  let allGram: Float64Array | undefined;
  if (fusesNorms(prepared)) {
    // fedavg: one fused pass, rows split into a pipeline of stages (one per worker)
    const shapedWeights = shape.shaped.map((s) => s.weight);
    const scratch = pool.lease(d * (Float64Array.BYTES_PER_ELEMENT + Float32Array.BYTES_PER_ELEMENT));
    const acc = new Float64Array(scratch, 0, d);
    const out = new Float32Array(scratch, d * Float64Array.BYTES_PER_ELEMENT, d);
    const tasks = pipelineTasks(acc, shapedRows, shapedWeights, d, pool.size, squares, viewOf(out));
    try {
      await pool.run(tasks);
      early = { aggregate: unshared(out), outcomes: fedavgOutcomes(shapedWeights) };
    } finally {
      pool.release(scratch);
    }
  } else if (usesGram(prepared.rule) && !rewritesValues(prepared.rule)) {
    // Krum and Bulyan: the Gram matrix of every shaped update and their norms in one round; the
    // candidates' Gram matrix is then a sub-matrix (no norm bound, so no candidate is rescaled)
    allGram = await runner.gram(shapedRows, squares);
  } else if (isCoordinatewise(prepared.rule) && !rewritesValues(prepared.rule) && checkBudget(prepared.rule, shape.shaped.length).ok) {
    // median and trimmed mean: norms and the rule over every shaped update in one round of tasks;
    // the result stands when hygiene rejects none of them (it almost never does)
    const provisional: Candidate[] = shape.shaped.map((s) => ({ ...s, norm: 0, clipped: false }));
    [, early] = await Promise.all([
      pool.run(runner.squaresTasks(shapedRows, squares)),
      applyParallel(runner, prepared, provisional, shapedRows, undefined),
    ]);
  } else {
    await pool.run(runner.squaresTasks(shapedRows, squares));
  }
  const screened = screen(prepared, Float64Array.from(squares));
  if (early !== undefined && screened.candidates.length === shape.shaped.length) return decide(prepared, screened, early);

  const positionOf = new Map<string, number>();
  shape.shaped.forEach((s, i) => positionOf.set(s.id, i));
  const rows = screened.candidates.map((c) => {
    const p = positionOf.get(c.id)!;
    return shape.shaped[p]!.values === c.values ? shapedRows[p]! : share(c.values);
  });
  const knownGram =
    allGram === undefined
      ? undefined
      : subGram(
          allGram,
          shape.shaped.length,
          screened.candidates.map((c) => positionOf.get(c.id)!),
        );
  return decide(prepared, screened, await applyParallel(runner, prepared, screened.candidates, rows, knownGram));
}

/**
 * `aggregate` on worker threads: the same rule, checks, decisions and aggregate bytes, with the
 * heavy passes (norms, weighted and trimmed means, medians, Krum's Gram matrix, Bulyan's
 * coordinate phase) split over coordinate ranges or rows of a pool of workers. Every per-coordinate
 * value is computed by the same code in the same order as `aggregate`, and Gram partials are summed
 * in block order here, so the result is byte-identical. Centered clipping and the geometric median
 * run on the calling thread.
 *
 * Update values already in shared memory (see `sharedFloat32Array`) are read in place; others are
 * copied into shared memory first. Pass a long-lived pool from `createAggregationPool`; without one
 * a pool is started and closed for this call.
 *
 * @throws the errors of `aggregate`, and AggregationPoolError when the pool is closed or failed.
 */
export async function aggregateParallel(
  rule: Rule,
  updates: readonly Update[],
  weights?: readonly number[],
  options: ParallelAggregateOptions = {},
): Promise<AggregationResult> {
  const { pool, ...rest } = options;
  if (pool !== undefined) return aggregateOn(pool, rule, updates, weights, rest);
  const own = createAggregationPool();
  try {
    return await aggregateOn(own, rule, updates, weights, rest);
  } finally {
    await own.close();
  }
}
