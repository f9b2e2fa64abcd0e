import { insertionSort, minOf, select } from './select';
import { MAX_NETWORK_ROWS, RankMeanKernel } from './wasm/rank-mean';

/** Coordinates per block: the block's column buffer (block × n float64) stays in L1/L2. */
export const COLUMN_BLOCK = 256;

/**
 * Copies coordinates [j0, j0+len) of the given rows into `cols`, column-major: value of row r at
 * coordinate j0+jj lands at cols[jj·n + r].
 */
export function gatherBlock(
  values: readonly Float32Array[],
  rows: Int32Array,
  j0: number,
  len: number,
  cols: Float64Array,
): void {
  const n = rows.length;
  for (let r = 0; r < n; r++) {
    const x = values[rows[r]!]!;
    let t = r;
    for (let jj = 0; jj < len; jj++) {
      cols[t] = x[j0 + jj]!;
      t += n;
    }
  }
}

/** Counts, per row, the coordinates of the block where its value lies within [low, high]. */
export function countKept(
  values: readonly Float32Array[],
  rows: Int32Array,
  j0: number,
  len: number,
  low: Float64Array,
  high: Float64Array,
  kept: Float64Array,
): void {
  for (let r = 0; r < rows.length; r++) {
    const x = values[rows[r]!]!;
    let c = 0;
    for (let jj = 0; jj < len; jj++) {
      const v = x[j0 + jj]!;
      // bitwise & keeps this branch-free: the comparisons are unpredictable
      c += +(v >= low[jj]!) & +(v <= high[jj]!);
    }
    kept[r]! += c;
  }
}

/** Identity row list 0..n−1. */
export function allRows(n: number): Int32Array {
  const rows = new Int32Array(n);
  for (let i = 0; i < n; i++) rows[i] = i;
  return rows;
}

/** Trimmed mean of each column of one gathered block; records the kept range per column. */
function trimmedMeanBlock(
  cols: Float64Array,
  n: number,
  k: number,
  len: number,
  out: Float32Array,
  j0: number,
  low: Float64Array,
  high: Float64Array,
): void {
  const keep = n - 2 * k;
  for (let jj = 0; jj < len; jj++) {
    const base = jj * n;
    const last = base + n - 1;
    // the kept range is [lo, hi]: the value of rank k and the value of rank n−k−1, which the two
    // selections leave at base+k (before the second one moves it) and at base+n−k−1; with k = 0
    // every value is kept
    let lo = -Infinity;
    let hi = Infinity;
    if (k > 0) {
      select(cols, base, last, base + k);
      lo = cols[base + k]!;
      select(cols, base + k, last, base + n - k - 1);
      hi = cols[base + n - k - 1]!;
    }
    let s = 0;
    for (let t = base + k; t < base + n - k; t++) s += cols[t]!;
    low[jj] = lo;
    high[jj] = hi;
    out[j0 + jj] = s / keep;
  }
}

/** A kernel's result over coordinates [from, to): it wrote out[from..to) and adds each row's kept count into `kept`. */
export interface ColumnsResult {
  readonly aggregate: Float32Array;
  readonly kept: Float64Array;
}

/**
 * Coordinate-wise mean of the values of rank [k, n−k) among `rows`, per coordinate (k = 0 on
 * an odd count with n−2k = 1 is the plain median). On an even count with n − 2k = 0 it is not
 * defined; callers pass n ≥ 2k+1, or `median` handles the even case. Returns the aggregate and
 * the per-row count of coordinates where the row's value was kept.
 */
export function trimmedMeanColumns(values: readonly Float32Array[], rows: Int32Array, d: number, k: number): ColumnsResult {
  const out = new Float32Array(d);
  const kept = new Float64Array(rows.length);
  trimmedMeanRange(values, rows, k, 0, d, out, kept);
  return { aggregate: out, kept };
}

/**
 * `trimmedMeanColumns` over coordinates [from, to) only: writes out[from..to), adds into `kept`.
 * Up to MAX_NETWORK_ROWS rows it sorts four coordinates at a time with a sorting network and adds
 * the kept values in rank order; beyond, it selects per coordinate with quickselect and adds them
 * in the order selection leaves them. Either way the order depends on the values only.
 */
export function trimmedMeanRange(
  values: readonly Float32Array[],
  rows: Int32Array,
  k: number,
  from: number,
  to: number,
  out: Float32Array,
  kept: Float64Array,
): void {
  const n = rows.length;
  if (n <= MAX_NETWORK_ROWS) return RankMeanKernel.of(n, k, n - k).run(values, rows, from, to, out, kept);
  forEachColumnBlock(values, rows, from, to, kept, (cols, n, len, j0, low, high) => trimmedMeanBlock(cols, n, k, len, out, j0, low, high));
}

/** Median of each column of one gathered block; records the kept range per column. */
function medianBlock(
  cols: Float64Array,
  n: number,
  len: number,
  out: Float32Array,
  j0: number,
  low: Float64Array,
  high: Float64Array,
): void {
  const even = n % 2 === 0;
  const m = even ? n / 2 - 1 : (n - 1) / 2;
  for (let jj = 0; jj < len; jj++) {
    const base = jj * n;
    const last = base + n - 1;
    select(cols, base, last, base + m);
    const a = cols[base + m]!;
    const b = even ? minOf(cols, base + m + 1, last) : a;
    low[jj] = a;
    high[jj] = b;
    out[j0 + jj] = even ? (a + b) / 2 : a;
  }
}

/** Coordinate-wise median of `rows`; on an even count, the mean of the two middle values. */
export function medianColumns(values: readonly Float32Array[], rows: Int32Array, d: number): ColumnsResult {
  const out = new Float32Array(d);
  const kept = new Float64Array(rows.length);
  medianRange(values, rows, 0, d, out, kept);
  return { aggregate: out, kept };
}

/** `medianColumns` over coordinates [from, to) only: writes out[from..to), adds into `kept` (sorting network up to MAX_NETWORK_ROWS rows, quickselect beyond). */
export function medianRange(
  values: readonly Float32Array[],
  rows: Int32Array,
  from: number,
  to: number,
  out: Float32Array,
  kept: Float64Array,
): void {
  const n = rows.length;
  const m = Math.floor((n - 1) / 2);
  if (n <= MAX_NETWORK_ROWS) return RankMeanKernel.of(n, m, n - m).run(values, rows, from, to, out, kept);
  forEachColumnBlock(values, rows, from, to, kept, (cols, n, len, j0, low, high) => medianBlock(cols, n, len, out, j0, low, high));
}

/** A per-block kernel: reduces `len` gathered columns and records each column's kept range in low/high. */
type BlockKernel = (cols: Float64Array, n: number, len: number, j0: number, low: Float64Array, high: Float64Array) => void;

/** Gathers coordinates [from, to) block by block, runs `kernel` on each block, and counts which rows each block kept. */
function forEachColumnBlock(values: readonly Float32Array[], rows: Int32Array, from: number, to: number, kept: Float64Array, kernel: BlockKernel): void {
  const n = rows.length;
  const cols = new Float64Array(COLUMN_BLOCK * n);
  const low = new Float64Array(COLUMN_BLOCK);
  const high = new Float64Array(COLUMN_BLOCK);
  for (let j0 = from; j0 < to; j0 += COLUMN_BLOCK) {
    const len = Math.min(COLUMN_BLOCK, to - j0);
    gatherBlock(values, rows, j0, len, cols);
    kernel(cols, n, len, j0, low, high);
    countKept(values, rows, j0, len, low, high, kept);
  }
}

/**
 * Bulyan's coordinate phase: per coordinate, sort the values of `rows` (θ of them), take the β values
 * closest to the median (ties go to the lower value) and average them.
 */
export function closestToMedianColumns(
  values: readonly Float32Array[],
  rows: Int32Array,
  d: number,
  beta: number,
): ColumnsResult {
  const out = new Float32Array(d);
  const kept = new Float64Array(rows.length);
  closestToMedianRange(values, rows, beta, 0, d, out, kept);
  return { aggregate: out, kept };
}

/** `closestToMedianColumns` over coordinates [start, end) only: writes out[start..end), adds into `kept`. */
export function closestToMedianRange(
  values: readonly Float32Array[],
  rows: Int32Array,
  beta: number,
  start: number,
  end: number,
  out: Float32Array,
  kept: Float64Array,
): void {
  const n = rows.length;
  const cols = new Float64Array(COLUMN_BLOCK * n);
  const low = new Float64Array(COLUMN_BLOCK);
  const high = new Float64Array(COLUMN_BLOCK);
  const even = n % 2 === 0;
  for (let j0 = start; j0 < end; j0 += COLUMN_BLOCK) {
    const len = Math.min(COLUMN_BLOCK, end - j0);
    gatherBlock(values, rows, j0, len, cols);
    for (let jj = 0; jj < len; jj++) {
      const base = jj * n;
      insertionSort(cols, base, base + n - 1);
      let lo: number;
      let hi: number;
      let med: number;
      if (even) {
        lo = base + n / 2 - 1;
        hi = base + n / 2;
        med = (cols[lo]! + cols[hi]!) / 2;
      } else {
        lo = base + (n - 1) / 2 - 1;
        hi = base + (n - 1) / 2;
        med = cols[hi]!;
      }
      // window is (lo, hi) exclusive of both; grow it to beta values
      let from = lo + 1;
      let to = hi - 1;
      if (even) {
        from = hi;
        to = hi - 1;
      } else {
        from = hi;
        to = hi;
        hi = hi + 1;
      }
      // current window [from, to]; candidates cols[lo] (left) and cols[hi] (right)
      let size = to - from + 1;
      while (size < beta) {
        const left = lo >= base ? med - cols[lo]! : Infinity;
        const right = hi < base + n ? cols[hi]! - med : Infinity;
        if (left <= right) {
          from = lo;
          lo--;
        } else {
          to = hi;
          hi++;
        }
        size++;
      }
      let s = 0;
      for (let t = from; t <= to; t++) s += cols[t]!;
      low[jj] = cols[from]!;
      high[jj] = cols[to]!;
      out[j0 + jj] = s / beta;
    }
    countKept(values, rows, j0, len, low, high, kept);
  }
}
