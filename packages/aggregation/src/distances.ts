/** Coordinates per block of the Gram computation. */
export const GRAM_BLOCK = 2048;

/**
 * Gram matrix G[a·n + b] = ⟨x_a, x_b⟩ of the rows, in float64. Computed in 4×4 register tiles over
 * blocks of coordinates; each entry sums its block partials in block order, so the result does not
 * depend on the tiling. Products of two float32 values are exact in float64.
 */
export function gram(rows: readonly Float32Array[], d: number): Float64Array {
  const n = rows.length;
  const g = new Float64Array(n * n);
  const tiles = gramTileCount(n);
  for (let j0 = 0; j0 < d; j0 += GRAM_BLOCK) {
    for (let ta = 0; ta < tiles; ta++) gramRow(rows, ta, j0, Math.min(d, j0 + GRAM_BLOCK), g);
  }
  mirrorUpper(g, n);
  return g;
}

/** Copies the upper triangle of an n×n matrix onto its lower triangle. */
export function mirrorUpper(g: Float64Array, n: number): void {
  for (let a = 0; a < n; a++) for (let b = 0; b < a; b++) g[a * n + b] = g[b * n + a]!;
}

/** Adds ⟨x_a, x_b⟩ over [j0, j1) for a in tile ta and b ≥ a, in 4×4 register tiles, into g[a·n + b]. */
function gramRow(rows: readonly Float32Array[], ta: number, j0: number, j1: number, g: Float64Array): void {
  const n = rows.length;
  const tiles = gramTileCount(n);
  const pick = (i: number): Float32Array => rows[Math.min(i, n - 1)]!;
  const a0 = pick(4 * ta);
  const a1 = pick(4 * ta + 1);
  const a2 = pick(4 * ta + 2);
  const a3 = pick(4 * ta + 3);
  for (let tb = ta; tb < tiles; tb++) {
    const b0 = pick(4 * tb);
    const b1 = pick(4 * tb + 1);
    const b2 = pick(4 * tb + 2);
    const b3 = pick(4 * tb + 3);
    let s00 = 0, s01 = 0, s02 = 0, s03 = 0;
    let s10 = 0, s11 = 0, s12 = 0, s13 = 0;
    let s20 = 0, s21 = 0, s22 = 0, s23 = 0;
    let s30 = 0, s31 = 0, s32 = 0, s33 = 0;
    for (let j = j0; j < j1; j++) {
      const x0 = a0[j]!;
      const x1 = a1[j]!;
      const x2 = a2[j]!;
      const x3 = a3[j]!;
      const y0 = b0[j]!;
      const y1 = b1[j]!;
      const y2 = b2[j]!;
      const y3 = b3[j]!;
      s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
      s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
      s20 += x2 * y0; s21 += x2 * y1; s22 += x2 * y2; s23 += x2 * y3;
      s30 += x3 * y0; s31 += x3 * y1; s32 += x3 * y2; s33 += x3 * y3;
    }
    const partial = [s00, s01, s02, s03, s10, s11, s12, s13, s20, s21, s22, s23, s30, s31, s32, s33];
    for (let p = 0; p < 4; p++) {
      const a = 4 * ta + p;
      if (a >= n) break;
      for (let q = 0; q < 4; q++) {
        const b = 4 * tb + q;
        if (b >= n) break;
        if (tb === ta && b < a) continue;
        g[a * n + b]! += partial[p * 4 + q]!;
      }
    }
  }
}

/** Number of 4-row tiles over n rows. */
export function gramTileCount(n: number): number {
  return Math.ceil(n / 4);
}

/**
 * The Gram entries of the tile rows `tileRows` (each tile row ta covers the pairs (a, b) with a in
 * tile ta and b ≥ a), over all coordinates, added into g[a·n + b], which must start at zero: the
 * same block sums in the same order as `gram`, so each entry equals `gram`'s. Split the tile rows
 * over threads and each entry is still computed whole by one of them. When `squares` is given, the
 * diagonal tiles also measure each of their rows' sum of squares sequentially from the first
 * coordinate, exactly the values of `sumsOfSquares`, into squares[a].
 */
export function gramTiles(
  rows: readonly Float32Array[],
  d: number,
  tileRows: readonly number[],
  g: Float64Array,
  squares: Float64Array | null,
): void {
  const n = rows.length;
  const running = new Float64Array(4 * tileRows.length);
  for (let j0 = 0; j0 < d; j0 += GRAM_BLOCK) {
    const j1 = Math.min(d, j0 + GRAM_BLOCK);
    tileRows.forEach((ta, t) => {
      if (squares !== null) squareTile(rows, ta, j0, j1, running, 4 * t);
      gramRow(rows, ta, j0, j1, g);
    });
  }
  if (squares === null) return;
  tileRows.forEach((ta, t) => {
    for (let p = 0; p < 4 && 4 * ta + p < n; p++) squares[4 * ta + p] = running[4 * t + p]!;
  });
}

/** Continues the sequential sums of squares of the four rows of tile ta over [j0, j1). */
function squareTile(rows: readonly Float32Array[], ta: number, j0: number, j1: number, running: Float64Array, at: number): void {
  const n = rows.length;
  const x0 = rows[Math.min(4 * ta, n - 1)]!;
  const x1 = rows[Math.min(4 * ta + 1, n - 1)]!;
  const x2 = rows[Math.min(4 * ta + 2, n - 1)]!;
  const x3 = rows[Math.min(4 * ta + 3, n - 1)]!;
  let s0 = running[at]!;
  let s1 = running[at + 1]!;
  let s2 = running[at + 2]!;
  let s3 = running[at + 3]!;
  for (let j = j0; j < j1; j++) {
    const a = x0[j]!;
    const b = x1[j]!;
    const c = x2[j]!;
    const e = x3[j]!;
    s0 += a * a;
    s1 += b * b;
    s2 += c * c;
    s3 += e * e;
  }
  running[at] = s0;
  running[at + 1] = s1;
  running[at + 2] = s2;
  running[at + 3] = s3;
}

/** Squared distances from a Gram matrix: ‖a−b‖² = ⟨a,a⟩ + ⟨b,b⟩ − 2⟨a,b⟩, clamped at 0, zero diagonal. */
export function distancesFromGram(g: Float64Array, n: number): Float64Array {
  const dist = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      if (a === b) continue;
      const v = g[a * n + a]! + g[b * n + b]! - 2 * g[a * n + b]!;
      dist[a * n + b] = v > 0 ? v : 0;
    }
  }
  return dist;
}

/**
 * Pairwise squared L2 distances via the Gram identity ‖a−b‖² = ⟨a,a⟩ + ⟨b,b⟩ − 2⟨a,b⟩, clamped at 0
 * (rounding can make a tiny distance negative). D[a·n + b], zero diagonal.
 */
export function pairwiseSquaredDistances(rows: readonly Float32Array[], d: number): Float64Array {
  return distancesFromGram(gram(rows, d), rows.length);
}
