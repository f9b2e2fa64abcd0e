/**
 * Krum scores over a subset of rows: for each active row, the sum of its `neighbours` smallest
 * squared distances to the other active rows, added smallest first. `dist` is n×n.
 */
export function krumScores(dist: Float64Array, n: number, active: readonly number[], neighbours: number): Float64Array {
  const scores = new Float64Array(active.length);
  const row = new Float64Array(Math.max(0, active.length - 1));
  for (let p = 0; p < active.length; p++) {
    const a = active[p]!;
    let t = 0;
    for (const b of active) if (b !== a) row[t++] = dist[a * n + b]!;
    row.sort();
    let s = 0;
    for (let q = 0; q < neighbours && q < row.length; q++) s += row[q]!;
    scores[p] = s;
  }
  return scores;
}

/** Positions of `scores` in ascending score order; ties keep the lower position first. */
export function rankByScore(scores: Float64Array): number[] {
  const order = Array.from({ length: scores.length }, (_, i) => i);
  order.sort((a, b) => scores[a]! - scores[b]! || a - b);
  return order;
}
