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
  for (let j0 = 0; j0 < d; j0 += GRAM_BLOCK) gramBlock(rows, j0, Math.min(d, j0 + GRAM_BLOCK), g, 0);
  mirrorUpper(g, n);
  return g;
}

/** Copies the upper triangle of an n×n matrix onto its lower triangle. */
export function mirrorUpper(g: Float64Array, n: number): void {
  for (let a = 0; a < n; a++) for (let b = 0; b < a; b++) g[a * n + b] = g[b * n + a]!;
}

/** Number of Gram blocks over d coordinates. */
export function gramBlocks(d: number): number {
  return Math.ceil(d / GRAM_BLOCK);
}

/**
 * Writes the partial Gram matrix (upper triangle) of each block in [b0, b1) into
 * `partials[b·n·n …]`, which must be zero there. Summing the partials of all blocks in block
 * order (`sumPartials`) gives exactly `gram`.
 */
export function gramPartials(rows: readonly Float32Array[], d: number, b0: number, b1: number, partials: Float64Array): void {
  const n = rows.length;
  for (let b = b0; b < b1; b++) {
    const j0 = b * GRAM_BLOCK;
    gramBlock(rows, j0, Math.min(d, j0 + GRAM_BLOCK), partials, b * n * n);
  }
}

/** The Gram matrix from block partials: each entry adds its partials in block order, as `gram` does. */
export function sumPartials(partials: Float64Array, n: number, blocks: number): Float64Array {
  const g = new Float64Array(n * n);
  for (let b = 0; b < blocks; b++) {
    const base = b * n * n;
    for (let a = 0; a < n; a++) {
      for (let c = a; c < n; c++) g[a * n + c]! += partials[base + a * n + c]!;
    }
  }
  mirrorUpper(g, n);
  return g;
}

/** Adds ⟨x_a, x_b⟩ over coordinates [j0, j1), for a ≤ b, into g[offset + a·n + b]. */
function gramBlock(rows: readonly Float32Array[], j0: number, j1: number, g: Float64Array, offset: number): void {
  const n = rows.length;
  const tiles = Math.ceil(n / 4);
  const pick = (i: number): Float32Array => rows[Math.min(i, n - 1)]!;
  for (let ta = 0; ta < tiles; ta++) {
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
          g[offset + a * n + b]! += partial[p * 4 + q]!;
        }
      }
    }
  }
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
