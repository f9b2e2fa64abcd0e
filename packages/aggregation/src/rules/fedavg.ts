import type { Candidate } from '../hygiene';
import type { FedAvgRule } from '../rule';
import type { Outcome, RuleResult } from '../types';

const BLOCK = 4096;

/** acc[jj] += Σ over four rows of w·x, left to right, and each row's running sum of squares. */
function addFour(
  x0: Float32Array,
  x1: Float32Array,
  x2: Float32Array,
  x3: Float32Array,
  w0: number,
  w1: number,
  w2: number,
  w3: number,
  acc: Float64Array,
  j0: number,
  len: number,
  squares: Float64Array,
  i: number,
): void {
  let s0 = squares[i]!;
  let s1 = squares[i + 1]!;
  let s2 = squares[i + 2]!;
  let s3 = squares[i + 3]!;
  for (let jj = 0; jj < len; jj++) {
    const j = j0 + jj;
    const a0 = x0[j]!;
    const a1 = x1[j]!;
    const a2 = x2[j]!;
    const a3 = x3[j]!;
    acc[jj] = acc[jj]! + w0 * a0 + w1 * a1 + w2 * a2 + w3 * a3;
    s0 += a0 * a0;
    s1 += a1 * a1;
    s2 += a2 * a2;
    s3 += a3 * a3;
  }
  squares[i] = s0;
  squares[i + 1] = s1;
  squares[i + 2] = s2;
  squares[i + 3] = s3;
}

/** acc[jj] += w·x for one row, and its running sum of squares. */
function addOne(x: Float32Array, w: number, acc: Float64Array, j0: number, len: number, squares: Float64Array, i: number): void {
  let s = squares[i]!;
  for (let jj = 0; jj < len; jj++) {
    const a = x[j0 + jj]!;
    acc[jj] = acc[jj]! + w * a;
    s += a * a;
  }
  squares[i] = s;
}

/**
 * Σ w_i x_i / Σ w_i over the rows in the order given, per coordinate in float64 (rows added one
 * after another, left to right), rounded to float32 once; in the same single pass, each row's sum
 * of squares in canonical order (the values `sumsOfSquares` gives), so input hygiene costs no
 * extra pass.
 */
export function weightedMean(
  values: readonly Float32Array[],
  weights: readonly number[],
  d: number,
): { aggregate: Float32Array; squares: Float64Array } {
  const n = values.length;
  let total = 0;
  for (const w of weights) total += w;
  const out = new Float32Array(d);
  const squares = new Float64Array(n);
  const acc = new Float64Array(BLOCK);
  for (let j0 = 0; j0 < d; j0 += BLOCK) {
    const len = Math.min(BLOCK, d - j0);
    acc.fill(0, 0, len);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      addFour(
        values[i]!, values[i + 1]!, values[i + 2]!, values[i + 3]!,
        weights[i]!, weights[i + 1]!, weights[i + 2]!, weights[i + 3]!,
        acc, j0, len, squares, i,
      );
    }
    for (; i < n; i++) addOne(values[i]!, weights[i]!, acc, j0, len, squares, i);
    for (let jj = 0; jj < len; jj++) out[j0 + jj] = acc[jj]! / total;
  }
  return { aggregate: out, squares };
}

/** acc[jj] += Σ over four rows of w·x, left to right (the sum `addFour` forms, without the squares). */
function sumFour(
  x0: Float32Array,
  x1: Float32Array,
  x2: Float32Array,
  x3: Float32Array,
  w0: number,
  w1: number,
  w2: number,
  w3: number,
  acc: Float64Array,
  j0: number,
  len: number,
): void {
  for (let jj = 0; jj < len; jj++) {
    const j = j0 + jj;
    acc[jj] = acc[jj]! + w0 * x0[j]! + w1 * x1[j]! + w2 * x2[j]! + w3 * x3[j]!;
  }
}

/**
 * The aggregate of `weightedMean` over coordinates [from, to) only, into out[from..to): the same
 * float64 sums in the same order, without the sums of squares.
 */
export function weightedMeanRange(
  values: readonly Float32Array[],
  weights: readonly number[],
  from: number,
  to: number,
  out: Float32Array,
): void {
  const n = values.length;
  let total = 0;
  for (const w of weights) total += w;
  const acc = new Float64Array(BLOCK);
  const none = new Float64Array(1);
  for (let j0 = from; j0 < to; j0 += BLOCK) {
    const len = Math.min(BLOCK, to - j0);
    acc.fill(0, 0, len);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      sumFour(
        values[i]!, values[i + 1]!, values[i + 2]!, values[i + 3]!,
        weights[i]!, weights[i + 1]!, weights[i + 2]!, weights[i + 3]!,
        acc, j0, len,
      );
    }
    for (; i < n; i++) addOne(values[i]!, weights[i]!, acc, j0, len, none, 0);
    for (let jj = 0; jj < len; jj++) out[j0 + jj] = acc[jj]! / total;
  }
}

/**
 * One stage of `weightedMean` split by rows, over coordinates [from, to): adds rows
 * [rowFrom, rowTo) into the running float64 sums `acc` (which hold the sums of the rows before
 * rowFrom, or are ignored when rowFrom is 0) and continues those rows' sums of squares. The last
 * stage passes `out` and writes the aggregate there instead of updating `acc`. Run over the rows in
 * stages and the coordinates in increasing order, this gives exactly `weightedMean`'s aggregate and
 * squares: the same additions in the same order. `rowFrom` must be a multiple of 4.
 */
export function weightedMeanStage(
  values: readonly Float32Array[],
  weights: readonly number[],
  rowFrom: number,
  rowTo: number,
  from: number,
  to: number,
  acc: Float64Array,
  squares: Float64Array,
  out: Float32Array | null,
): void {
  let total = 0;
  for (const w of weights) total += w;
  const block = new Float64Array(BLOCK);
  for (let j0 = from; j0 < to; j0 += BLOCK) {
    const len = Math.min(BLOCK, to - j0);
    if (rowFrom === 0) block.fill(0, 0, len);
    else for (let jj = 0; jj < len; jj++) block[jj] = acc[j0 + jj]!;
    let i = rowFrom;
    for (; i + 4 <= rowTo; i += 4) {
      addFour(
        values[i]!, values[i + 1]!, values[i + 2]!, values[i + 3]!,
        weights[i]!, weights[i + 1]!, weights[i + 2]!, weights[i + 3]!,
        block, j0, len, squares, i,
      );
    }
    for (; i < rowTo; i++) addOne(values[i]!, weights[i]!, block, j0, len, squares, i);
    if (out === null) for (let jj = 0; jj < len; jj++) acc[j0 + jj] = block[jj]!;
    else for (let jj = 0; jj < len; jj++) out[j0 + jj] = block[jj]! / total;
  }
}

/** Outcomes of fedavg: every candidate selected with share w_i / Σ w. */
export function fedavgOutcomes(weights: readonly number[]): Outcome[] {
  let total = 0;
  for (const w of weights) total += w;
  return weights.map((w) => ({ status: 'selected', score: null, weight: w / total, reason: `weighted by ${w} samples` }));
}

/**
 * Mean weighted by sample count: Σ w_i x_i / Σ w_i, summed in float64 in canonical order per
 * coordinate and rounded to float32 once. Every candidate is selected with share w_i / Σ w.
 */
export function fedavg(_rule: FedAvgRule, candidates: readonly Candidate[], d: number): RuleResult {
  const weights = candidates.map((c) => c.weight);
  const { aggregate } = weightedMean(
    candidates.map((c) => c.values),
    weights,
    d,
  );
  return { aggregate, outcomes: fedavgOutcomes(weights) };
}
