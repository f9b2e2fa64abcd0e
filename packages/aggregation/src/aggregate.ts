import { checkBudget } from './budget';
import { ByzantineBudgetError, InsufficientUpdatesError } from './errors';
import { byId, screenNorms, screenShape } from './hygiene';
import type { Candidate, ShapeScreened } from './hygiene';
import { mixNearest } from './mixing';
import { parseRule, RULE_DEFAULTS } from './rule';
import type { Rule } from './rule';
import { centeredClipping, geometricMedian } from './rules/center';
import { median, trimmedMean } from './rules/coordinatewise';
import { fedavg, fedavgOutcomes, weightedMean } from './rules/fedavg';
import { bulyan, krum, multiKrum } from './rules/krum';
import type { AggregateOptions, AggregationResult, Decision, RuleResult, Update } from './types';
import { sumsOfSquares } from './vector';

/** Applies a rule on the calling thread. */
export function apply(rule: Rule, candidates: readonly Candidate[], d: number): RuleResult {
  switch (rule.name) {
    case 'fedavg':
      return fedavg(rule, candidates, d);
    case 'median':
      return median(rule, candidates, d);
    case 'trimmed-mean':
      return trimmedMean(rule, candidates, d);
    case 'krum':
      return krum(rule, candidates, d);
    case 'multi-krum':
      return multiKrum(rule, candidates, d);
    case 'bulyan':
      return bulyan(rule, candidates, d);
    case 'centered-clipping':
      return centeredClipping(rule, candidates, d);
    case 'geometric-median':
      return geometricMedian(rule, candidates, d);
  }
}

/** A call after its rule and shapes were checked. */
export interface Prepared {
  readonly rule: Rule;
  readonly maxNorm: number;
  readonly shape: ShapeScreened;
  readonly dimension: number;
}

/** Parses the rule, checks shapes and the Byzantine budget over the distinct updates. */
export function prepare(
  rule: Rule,
  updates: readonly Update[],
  weights: readonly number[] | undefined,
  options: AggregateOptions,
): Prepared {
  const normalized = parseRule(rule);
  const maxNorm = normalized.maxNorm ?? RULE_DEFAULTS.maxNorm;
  const shape = screenShape(updates, weights, options.dimension);
  const budget = checkBudget(normalized, shape.distinct);
  if (!budget.ok) throw new ByzantineBudgetError(normalized.name, shape.distinct, normalized.f, budget.requirement);
  return { rule: normalized, maxNorm, shape, dimension: shape.dimension };
}

/** Whether screening may replace the values of shaped updates (norm-bound clipping, mixing). */
export function rewritesValues(rule: Rule): boolean {
  return rule.normBound !== undefined || rule.mixing !== undefined;
}

/** Whether fedavg can measure norms in its own weighted pass (no values rewritten first). */
export function fusesNorms(prepared: Prepared): boolean {
  return prepared.rule.name === 'fedavg' && !rewritesValues(prepared.rule) && prepared.shape.shaped.length > 0;
}

/** The candidates after norm hygiene, the norm-bound pre-filter and mixing, and every rejection so far in id order. */
export interface Screened {
  readonly candidates: readonly Candidate[];
  readonly rejected: readonly Decision[];
}

/**
 * Screens norms from each shaped update's sum of squares.
 *
 * @throws InsufficientUpdatesError when too few valid updates remain.
 */
export function screen(prepared: Prepared, squares: Float64Array): Screened {
  const { rule, shape, maxNorm } = prepared;
  const screened = screenNorms(shape.shaped, squares, maxNorm, rule.normBound);
  const rejected = byId([...shape.rejected, ...screened.rejected]);
  const valid = checkBudget(rule, screened.candidates.length);
  if (!valid.ok) {
    throw new InsufficientUpdatesError(rule.name, screened.candidates.length, rejected.length, rule.f, valid.requirement);
  }
  const candidates = rule.mixing === 'nnm' ? mixNearest(screened.candidates, rule.f, prepared.dimension) : screened.candidates;
  return { candidates, rejected };
}

/** Joins the rule's outcomes with the rejections into one decision per distinct id, in id order. */
export function decide(prepared: Prepared, screened: Screened, result: RuleResult): AggregationResult {
  const decisions: Decision[] = [...screened.rejected];
  screened.candidates.forEach((c, i) => {
    const o = result.outcomes[i]!;
    const clipped = c.clipped && o.status !== 'trimmed';
    decisions.push({
      id: c.id,
      status: clipped ? 'down-weighted' : o.status,
      score: o.score,
      weight: o.weight,
      reason: c.clipped ? `norm ${c.norm} clipped to ${prepared.rule.normBound?.maxNorm}; ${o.reason}` : o.reason,
    });
  });
  decisions.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { aggregate: result.aggregate, decisions };
}

/**
 * Applies a robust aggregation rule to a set of updates.
 *
 * The result depends only on the set of updates, never on their order: updates are sorted by id
 * (their content hash) first, every sum runs in float64 in a fixed order and the aggregate is
 * rounded to float32 once. Malformed updates (NaN or infinite values, wrong length, a norm above
 * the rule's `maxNorm`, a bad weight, conflicting contents under one id) are rejected with a reason
 * and never reach the rule; the `normBound` pre-filter then clips or rejects large updates.
 *
 * `weights`, when given, is aligned with `updates` and overrides each update's `weight` (sample
 * count); only `fedavg` uses weights.
 *
 * @throws InvalidRuleError when the rule is malformed.
 * @throws ByzantineBudgetError when the declared f is outside the rule's budget for the n distinct updates.
 * @throws InsufficientUpdatesError when too few valid updates remain after hygiene.
 * @throws AggregationInputError when the call itself is malformed.
 */
export function aggregate(
  rule: Rule,
  updates: readonly Update[],
  weights?: readonly number[],
  options: AggregateOptions = {},
): AggregationResult {
  const prepared = prepare(rule, updates, weights, options);
  const { shape, dimension } = prepared;

  // fedavg without a norm bound measures norms in its own single pass; it is redone only if
  // hygiene then rejects an update.
  let fused: RuleResult | undefined;
  let squares: Float64Array;
  if (fusesNorms(prepared)) {
    const shapedWeights = shape.shaped.map((s) => s.weight);
    const pass = weightedMean(
      shape.shaped.map((s) => s.values),
      shapedWeights,
      dimension,
    );
    squares = pass.squares;
    fused = { aggregate: pass.aggregate, outcomes: fedavgOutcomes(shapedWeights) };
  } else {
    squares = sumsOfSquares(shape.shaped.map((s) => s.values));
  }
  const screened = screen(prepared, squares);
  const result =
    fused !== undefined && screened.candidates.length === shape.shaped.length
      ? fused
      : apply(prepared.rule, screened.candidates, dimension);
  return decide(prepared, screened, result);
}
