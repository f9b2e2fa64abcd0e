/**
 * Nearest-neighbour mixing (NNM, Allouah et al., "Fixing by Mixing", AISTATS 2023): before the
 * rule runs, each update is replaced by the mean of its n − f nearest updates (itself included).
 * On heterogeneous (non-IID) data a coordinate-wise rule alone trims away the honest updates that
 * carry what only their shard knows; after mixing, every honest vector already averages the others
 * near it, so the rule keeps that information while a Byzantine vector is still outvoted.
 *
 * Deterministic: distances come from the blocked Gram matrix (as Krum's), neighbours are ranked by
 * (distance, candidate position) — positions follow the canonical id order — and each mixed vector
 * is a float64 sum over its neighbours in position order, rounded to float32 once.
 */
import { pairwiseSquaredDistances } from './distances';
import type { Candidate } from './hygiene';
import { meanOfRows } from './vector';

/** Positions of the k candidates nearest to each candidate (itself included), each list ascending. */
export function nearestNeighbours(rows: readonly Float32Array[], k: number): number[][] {
  const n = rows.length;
  const distance = pairwiseSquaredDistances(rows, rows[0]?.length ?? 0);
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
  const rows = candidates.map((c) => c.values);
  const neighbours = nearestNeighbours(rows, Math.max(1, candidates.length - f));
  return candidates.map((c, i) => ({ ...c, values: meanOfRows(rows, neighbours[i]!, d) }));
}
