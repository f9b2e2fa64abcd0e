import { GRAM_BLOCK, GramKernel } from './wasm/gram';

/** Ranges per Gram matrix: the unit of work a pool's threads share. */
const GRAM_PARTS = 16;

/**
 * The coordinate ranges whose inner products are summed separately and then added in range order:
 * up to GRAM_PARTS ranges of whole blocks, a function of d alone, so a pool of any size, or none,
 * gives the same bits.
 */
export function gramRanges(d: number): [number, number][] {
  const size = Math.max(1, Math.ceil(d / GRAM_PARTS / GRAM_BLOCK)) * GRAM_BLOCK;
  const out: [number, number][] = [];
  for (let from = 0; from < d; from += size) out.push([from, Math.min(d, from + size)]);
  return out;
}

/** The upper triangle of ⟨x_a, x_b⟩ over one range (see `gramRanges`), added into g, which starts at zero. */
export function addGramRange(rows: readonly Float32Array[], from: number, to: number, g: Float64Array): void {
  GramKernel.of(rows.length).addRange(rows, from, to, g);
}

/** The Gram matrix from its per-range upper triangles: added in range order, then mirrored. */
export function gramOfRanges(partials: readonly Float64Array[], n: number): Float64Array {
  const g = new Float64Array(n * n);
  for (const p of partials) {
    for (let a = 0; a < n; a++) for (let b = a; b < n; b++) g[a * n + b]! += p[a * n + b]!;
  }
  mirrorUpper(g, n);
  return g;
}

/**
 * Gram matrix G[a·n + b] = ⟨x_a, x_b⟩ of the rows, in float64: per range of coordinates in SIMD
 * tiles (products of two float32 values are exact in float64; every sum runs in a fixed order),
 * the ranges added in order.
 */
export function gram(rows: readonly Float32Array[], d: number): Float64Array {
  const n = rows.length;
  const partials = gramRanges(d).map(([from, to]) => {
    const g = new Float64Array(n * n);
    addGramRange(rows, from, to, g);
    return g;
  });
  return gramOfRanges(partials, n);
}

/** Copies the upper triangle of an n×n matrix onto its lower triangle. */
export function mirrorUpper(g: Float64Array, n: number): void {
  for (let a = 0; a < n; a++) for (let b = 0; b < a; b++) g[a * n + b] = g[b * n + a]!;
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
