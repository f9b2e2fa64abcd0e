/**
 * Small deterministic vector kernels. Every sum runs in float64 in a fixed order so that the same
 * inputs give the same bits on every machine.
 */

/**
 * Sum of squares of each row, in float64, summed sequentially from the first coordinate (the
 * canonical order; `weightedSum` produces the same values). Four rows run side by side so the
 * dependent additions of one row overlap with the others'.
 */
export function sumsOfSquares(rows: readonly Float32Array[]): Float64Array {
  const out = new Float64Array(rows.length);
  let i = 0;
  for (; i + 4 <= rows.length; i += 4) squaresOfFour(rows[i]!, rows[i + 1]!, rows[i + 2]!, rows[i + 3]!, out, i);
  for (; i < rows.length; i++) {
    const x = rows[i]!;
    let s = 0;
    for (let j = 0; j < x.length; j++) s += x[j]! * x[j]!;
    out[i] = s;
  }
  return out;
}

function squaresOfFour(x0: Float32Array, x1: Float32Array, x2: Float32Array, x3: Float32Array, out: Float64Array, i: number): void {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let j = 0; j < x0.length; j++) {
    const a = x0[j]!;
    const b = x1[j]!;
    const c = x2[j]!;
    const e = x3[j]!;
    s0 += a * a;
    s1 += b * b;
    s2 += c * c;
    s3 += e * e;
  }
  out[i] = s0;
  out[i + 1] = s1;
  out[i + 2] = s2;
  out[i + 3] = s3;
}

/** Squared L2 distance between a float32 vector and a float64 centre, in float64 over four lanes. */
export function squaredDistance(x: Float32Array, c: Float64Array): number {
  const d = x.length;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const end = d - (d % 4);
  for (let j = 0; j < end; j += 4) {
    const a = x[j]! - c[j]!;
    const b = x[j + 1]! - c[j + 1]!;
    const e = x[j + 2]! - c[j + 2]!;
    const g = x[j + 3]! - c[j + 3]!;
    s0 += a * a;
    s1 += b * b;
    s2 += e * e;
    s3 += g * g;
  }
  for (let j = end; j < d; j++) {
    const a = x[j]! - c[j]!;
    s0 += a * a;
  }
  return s0 + s1 + (s2 + s3);
}

/** Rounds a float64 vector to float32 once. */
export function toFloat32(x: Float64Array): Float32Array {
  const out = new Float32Array(x.length);
  out.set(x);
  return out;
}

/**
 * Plain mean of the chosen rows, summed in the order of `rows`, in float64 per coordinate, then
 * rounded to float32 once. Blocked over coordinates for cache locality.
 */
export function meanOfRows(values: readonly Float32Array[], rows: readonly number[], d: number): Float32Array {
  const out = new Float32Array(d);
  meanOfRowsRange(values, rows, 0, d, out);
  return out;
}

/** `meanOfRows` over coordinates [from, to) only, into out[from..to). */
export function meanOfRowsRange(
  values: readonly Float32Array[],
  rows: readonly number[],
  from: number,
  to: number,
  out: Float32Array,
): void {
  const block = 4096;
  const acc = new Float64Array(block);
  const inv = rows.length;
  for (let j0 = from; j0 < to; j0 += block) {
    const len = Math.min(block, to - j0);
    acc.fill(0, 0, len);
    let i = 0;
    // four rows per pass: acc + x0 + x1 + x2 + x3 adds left to right, the order of one row per pass
    for (; i + 4 <= rows.length; i += 4) {
      const x0 = values[rows[i]!]!;
      const x1 = values[rows[i + 1]!]!;
      const x2 = values[rows[i + 2]!]!;
      const x3 = values[rows[i + 3]!]!;
      for (let jj = 0, j = j0; jj < len; jj++, j++) acc[jj] = acc[jj]! + x0[j]! + x1[j]! + x2[j]! + x3[j]!;
    }
    for (; i < rows.length; i++) {
      const x = values[rows[i]!]!;
      for (let jj = 0; jj < len; jj++) acc[jj]! += x[j0 + jj]!;
    }
    for (let jj = 0; jj < len; jj++) out[j0 + jj] = acc[jj]! / inv;
  }
}
