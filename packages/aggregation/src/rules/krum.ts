import { closestToMedianColumns } from '../coordinatewise';
import { pairwiseSquaredDistances } from '../distances';
import type { Candidate } from '../hygiene';
import { krumScores, rankByScore } from '../krum';
import type { BulyanRule, KrumRule, MultiKrumRule } from '../rule';
import type { Outcome, RuleResult } from '../types';
import { meanOfRows } from '../vector';
import { keptOutcomes } from './coordinatewise';

function scoresOf(candidates: readonly Candidate[], d: number, f: number): { dist: Float64Array; scores: Float64Array } {
  const n = candidates.length;
  const dist = pairwiseSquaredDistances(
    candidates.map((c) => c.values),
    d,
  );
  const active = Array.from({ length: n }, (_, i) => i);
  return { dist, scores: krumScores(dist, n, active, Math.max(0, n - f - 2)) };
}

/** Averages the `m` best-scored candidates (m = 1 is Krum); score = Krum score (lower is better). */
function bestOf(candidates: readonly Candidate[], d: number, f: number, m: number, rule: string): RuleResult {
  const { scores } = scoresOf(candidates, d, f);
  const order = rankByScore(scores);
  const chosen = order.slice(0, m).sort((a, b) => a - b);
  const picked = new Set(chosen);
  const values = candidates.map((c) => c.values);
  const aggregate = m === 1 ? Float32Array.from(values[chosen[0]!]!) : meanOfRows(values, chosen, d);
  const outcomes: Outcome[] = candidates.map((_, i) => {
    const rank = order.indexOf(i) + 1;
    return picked.has(i)
      ? { status: 'selected', score: scores[i]!, weight: 1 / m, reason: `${rule} score rank ${rank} of ${candidates.length}` }
      : { status: 'trimmed', score: scores[i]!, weight: 0, reason: `${rule} score rank ${rank} of ${candidates.length}, not among the best ${m}` };
  });
  return { aggregate, outcomes };
}

/** Krum: the single candidate whose n−f−2 nearest neighbours are closest; ties go to the lower id. */
export function krum(rule: KrumRule, candidates: readonly Candidate[], d: number): RuleResult {
  return bestOf(candidates, d, rule.f, 1, 'krum');
}

/** Multi-Krum: plain mean of the m best Krum-scored candidates. Weights are ignored. */
export function multiKrum(rule: MultiKrumRule, candidates: readonly Candidate[], d: number): RuleResult {
  return bestOf(candidates, d, rule.f, rule.m, 'multi-krum');
}

/**
 * Bulyan: selects θ = n − 2f candidates by Krum applied repeatedly to the ones left (each time
 * with r − f − 2 neighbours among the r left), then per coordinate averages the β = θ − 2f values
 * closest to the median of the selected. Score = Krum score over all candidates.
 */
export function bulyan(rule: BulyanRule, candidates: readonly Candidate[], d: number): RuleResult {
  const n = candidates.length;
  const f = rule.f;
  const { dist, scores } = scoresOf(candidates, d, f);
  const theta = n - 2 * f;
  const beta = theta - 2 * f;
  let left = Array.from({ length: n }, (_, i) => i);
  const selected: number[] = [];
  while (selected.length < theta) {
    const s = krumScores(dist, n, left, Math.max(0, left.length - f - 2));
    const best = rankByScore(s)[0]!;
    selected.push(left[best]!);
    left = left.filter((_, p) => p !== best);
  }
  selected.sort((a, b) => a - b);
  const rows = Int32Array.from(selected);
  const { aggregate, kept } = closestToMedianColumns(
    candidates.map((c) => c.values),
    rows,
    d,
    beta,
  );
  const keptByRow = keptOutcomes(kept, d, `bulyan's ${beta} values closest to the median`);
  const outcomes: Outcome[] = candidates.map((_, i) => {
    const p = selected.indexOf(i);
    if (p < 0) {
      return { status: 'trimmed', score: scores[i]!, weight: 0, reason: `not among the ${theta} chosen by iterated krum` };
    }
    return { ...keptByRow[p]!, score: scores[i]! };
  });
  return { aggregate, outcomes };
}
