import { closestToMedianColumns } from '../coordinatewise';
import { pairwiseSquaredDistances } from '../distances';
import type { Candidate } from '../hygiene';
import { krumScores, rankByScore } from '../krum';
import type { BulyanRule, KrumRule, MultiKrumRule } from '../rule';
import type { Outcome, RuleResult } from '../types';
import { meanOfRows } from '../vector';
import { keptOutcomes } from './coordinatewise';

function distancesOf(candidates: readonly Candidate[], d: number): Float64Array {
  return pairwiseSquaredDistances(
    candidates.map((c) => c.values),
    d,
  );
}

/** Krum scores of all n candidates from their pairwise squared distances. */
function scoresOf(dist: Float64Array, n: number, f: number): Float64Array {
  const active = Array.from({ length: n }, (_, i) => i);
  return krumScores(dist, n, active, Math.max(0, n - f - 2));
}

/** The m best Krum-scored candidates: their positions in ascending order, with every score and the ranking. */
export interface KrumChoice {
  readonly scores: Float64Array;
  readonly order: readonly number[];
  readonly chosen: readonly number[];
}

/** Scores the candidates from their pairwise squared distances and picks the m best (ties go to the lower id). */
export function chooseBest(dist: Float64Array, n: number, f: number, m: number): KrumChoice {
  const scores = scoresOf(dist, n, f);
  const order = rankByScore(scores);
  const chosen = order.slice(0, m).sort((a, b) => a - b);
  return { scores, order, chosen };
}

/** Outcomes of Krum / Multi-Krum for a choice: the chosen share the aggregate equally. */
export function bestOutcomes(candidates: readonly Candidate[], choice: KrumChoice, rule: string): Outcome[] {
  const { scores, order, chosen } = choice;
  const m = chosen.length;
  const picked = new Set(chosen);
  return candidates.map((_, i) => {
    const rank = order.indexOf(i) + 1;
    return picked.has(i)
      ? { status: 'selected', score: scores[i]!, weight: 1 / m, reason: `${rule} score rank ${rank} of ${candidates.length}` }
      : { status: 'trimmed', score: scores[i]!, weight: 0, reason: `${rule} score rank ${rank} of ${candidates.length}, not among the best ${m}` };
  });
}

/** Averages the `m` best-scored candidates (m = 1 is Krum); score = Krum score (lower is better). */
function bestOf(candidates: readonly Candidate[], d: number, f: number, m: number, rule: string): RuleResult {
  const choice = chooseBest(distancesOf(candidates, d), candidates.length, f, m);
  const values = candidates.map((c) => c.values);
  const aggregate = m === 1 ? Float32Array.from(values[choice.chosen[0]!]!) : meanOfRows(values, choice.chosen, d);
  return { aggregate, outcomes: bestOutcomes(candidates, choice, rule) };
}

/** Krum: the single candidate whose n−f−2 nearest neighbours are closest; ties go to the lower id. */
export function krum(rule: KrumRule, candidates: readonly Candidate[], d: number): RuleResult {
  return bestOf(candidates, d, rule.f, 1, 'krum');
}

/** Multi-Krum: plain mean of the m best Krum-scored candidates. Weights are ignored. */
export function multiKrum(rule: MultiKrumRule, candidates: readonly Candidate[], d: number): RuleResult {
  return bestOf(candidates, d, rule.f, rule.m, 'multi-krum');
}

/** Bulyan's first phase: every candidate's Krum score and the θ = n − 2f positions chosen by iterated Krum, ascending. */
export function bulyanSelection(dist: Float64Array, n: number, f: number): { scores: Float64Array; selected: number[] } {
  const scores = scoresOf(dist, n, f);
  const theta = n - 2 * f;
  let left = Array.from({ length: n }, (_, i) => i);
  const selected: number[] = [];
  while (selected.length < theta) {
    const s = krumScores(dist, n, left, Math.max(0, left.length - f - 2));
    const best = rankByScore(s)[0]!;
    selected.push(left[best]!);
    left = left.filter((_, p) => p !== best);
  }
  selected.sort((a, b) => a - b);
  return { scores, selected };
}

/** Outcomes of Bulyan from its selection and the per-selected-row kept counts of the coordinate phase. */
export function bulyanOutcomes(
  candidates: readonly Candidate[],
  f: number,
  scores: Float64Array,
  selected: readonly number[],
  kept: Float64Array,
  d: number,
): Outcome[] {
  const theta = candidates.length - 2 * f;
  const beta = theta - 2 * f;
  const keptByRow = keptOutcomes(kept, d, `bulyan's ${beta} values closest to the median`);
  return candidates.map((_, i) => {
    const p = selected.indexOf(i);
    if (p < 0) {
      return { status: 'trimmed', score: scores[i]!, weight: 0, reason: `not among the ${theta} chosen by iterated krum` };
    }
    return { ...keptByRow[p]!, score: scores[i]! };
  });
}

/**
 * Bulyan: selects θ = n − 2f candidates by Krum applied repeatedly to the ones left (each time
 * with r − f − 2 neighbours among the r left), then per coordinate averages the β = θ − 2f values
 * closest to the median of the selected. Score = Krum score over all candidates.
 */
export function bulyan(rule: BulyanRule, candidates: readonly Candidate[], d: number): RuleResult {
  const n = candidates.length;
  const f = rule.f;
  const { scores, selected } = bulyanSelection(distancesOf(candidates, d), n, f);
  const beta = n - 4 * f;
  const { aggregate, kept } = closestToMedianColumns(
    candidates.map((c) => c.values),
    Int32Array.from(selected),
    d,
    beta,
  );
  return { aggregate, outcomes: bulyanOutcomes(candidates, f, scores, selected, kept, d) };
}
