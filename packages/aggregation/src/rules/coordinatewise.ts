import { allRows, medianColumns, trimmedMeanColumns } from '../coordinatewise';
import type { Candidate } from '../hygiene';
import { trimCount } from '../budget';
import type { MedianRule, TrimmedMeanRule } from '../rule';
import type { Outcome, RuleResult } from '../types';

/** Turns per-update kept-coordinate counts into outcomes: score = kept fraction, share = kept / Σ kept. */
export function keptOutcomes(kept: Float64Array, d: number, what: string): Outcome[] {
  let total = 0;
  for (const k of kept) total += k;
  return Array.from(kept, (k) => ({
    status: k > 0 ? ('selected' as const) : ('trimmed' as const),
    score: k / d,
    weight: total > 0 ? k / total : 0,
    reason: k > 0 ? `value kept by ${what} in ${k} of ${d} coordinates` : `trimmed by ${what} in every coordinate`,
  }));
}

/** Outcomes of the coordinate-wise median from its per-update kept counts. */
export function medianOutcomes(kept: Float64Array, d: number): Outcome[] {
  return keptOutcomes(kept, d, 'the median');
}

/** Outcomes of the k-trimmed mean from its per-update kept counts. */
export function trimmedMeanOutcomes(kept: Float64Array, d: number, k: number): Outcome[] {
  return keptOutcomes(kept, d, `the ${k}-trimmed mean`);
}

/** Coordinate-wise median (mean of the two middle values on an even count). Weights are ignored. */
export function median(_rule: MedianRule, candidates: readonly Candidate[], d: number): RuleResult {
  const values = candidates.map((c) => c.values);
  const { aggregate, kept } = medianColumns(values, allRows(values.length), d);
  return { aggregate, outcomes: medianOutcomes(kept, d) };
}

/** Coordinate-wise trimmed mean dropping floor(beta·n) values from each end. Weights are ignored. */
export function trimmedMean(rule: TrimmedMeanRule, candidates: readonly Candidate[], d: number): RuleResult {
  const values = candidates.map((c) => c.values);
  const k = trimCount(rule.beta, values.length);
  const { aggregate, kept } = trimmedMeanColumns(values, allRows(values.length), d, k);
  return { aggregate, outcomes: trimmedMeanOutcomes(kept, d, k) };
}
