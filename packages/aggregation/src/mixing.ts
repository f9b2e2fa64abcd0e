/**
 * Nearest-neighbour mixing (NNM, Allouah et al., "Fixing by Mixing", AISTATS 2023): before the
 * rule runs, each update is replaced by the mean of its n − f nearest updates (itself included).
 * On heterogeneous (non-IID) data a coordinate-wise rule alone trims away the honest updates that
 * carry what only their shard knows; after mixing, every honest vector already averages the others
 * near it, so the rule keeps that information while a Byzantine vector is still outvoted.
 *
 * Deterministic: distances are float64 sums in coordinate order, neighbours are ranked by
 * (distance, candidate position) — positions follow the canonical id order — and each mixed vector
 * is a float64 sum over its neighbours in position order, rounded to float32 once.
 */
import type { Candidate } from './hygiene';

/** Squared L2 distance of two float32 vectors, in float64 in coordinate order. */
function squaredDistance(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) {
    const x = a[j]! - b[j]!;
    s += x * x;
  }
  return s;
}

/** Positions of the k candidates nearest to each candidate (itself included), each list ascending. */
export function nearestNeighbours(rows: readonly Float32Array[], k: number): number[][] {
  const n = rows.length;
  const distance = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const s = squaredDistance(rows[i]!, rows[j]!);
      distance[i * n + j] = s;
      distance[j * n + i] = s;
    }
  }
  return rows.map((_, i) =>
    Array.from({ length: n }, (_, j) => j)
      .sort((a, b) => distance[i * n + a]! - distance[i * n + b]! || a - b)
      .slice(0, k)
      .sort((a, b) => a - b),
  );
}

/**
 * The candidates with their values replaced by the mean of their n − f nearest candidates. Ids,
 * weights, norms and clipping marks stay those of the original update, so decisions still name
 * the update they concern.
 */
export function mixNearest(candidates: readonly Candidate[], f: number, d: number): Candidate[] {
  const k = Math.max(1, candidates.length - f);
  const rows = candidates.map((c) => c.values);
  const neighbours = nearestNeighbours(rows, k);
  const acc = new Float64Array(d);
  return candidates.map((c, i) => {
    acc.fill(0);
    for (const j of neighbours[i]!) {
      const row = rows[j]!;
      for (let t = 0; t < d; t++) acc[t] = acc[t]! + row[t]!;
    }
    const values = new Float32Array(d);
    for (let t = 0; t < d; t++) values[t] = acc[t]! / k;
    return { ...c, values };
  });
}
