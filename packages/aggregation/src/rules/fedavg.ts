import type { Candidate } from '../hygiene';
import type { FedAvgRule } from '../rule';
import type { Outcome, RuleResult } from '../types';

const BLOCK = 4096;

/**
 * Mean weighted by sample count: Σ w_i x_i / Σ w_i, summed in float64 in canonical order per
 * coordinate and rounded to float32 once. Every candidate is selected with share w_i / Σ w.
 */
export function fedavg(_rule: FedAvgRule, candidates: readonly Candidate[], d: number): RuleResult {
  const n = candidates.length;
  let total = 0;
  for (const c of candidates) total += c.weight;
  const out = new Float32Array(d);
  const acc = new Float64Array(BLOCK);
  for (let j0 = 0; j0 < d; j0 += BLOCK) {
    const len = Math.min(BLOCK, d - j0);
    const first = candidates[0]!;
    const x0 = first.values;
    const w0 = first.weight;
    for (let jj = 0; jj < len; jj++) acc[jj] = w0 * x0[j0 + jj]!;
    for (let i = 1; i < n; i++) {
      const c = candidates[i]!;
      const x = c.values;
      const w = c.weight;
      for (let jj = 0; jj < len; jj++) acc[jj]! += w * x[j0 + jj]!;
    }
    for (let jj = 0; jj < len; jj++) out[j0 + jj] = acc[jj]! / total;
  }
  const outcomes: Outcome[] = candidates.map((c) => ({
    status: 'selected',
    score: null,
    weight: c.weight / total,
    reason: `weighted by ${c.weight} samples`,
  }));
  return { aggregate: out, outcomes };
}
