import { allRows, medianColumns } from '../coordinatewise';
import { InvalidRuleError } from '../errors';
import type { Candidate } from '../hygiene';
import { RULE_DEFAULTS } from '../rule';
import type { CenteredClippingRule, GeometricMedianRule } from '../rule';
import type { Outcome, RuleResult } from '../types';
import { squaredDistance } from '../vector';

const BLOCK = 4096;

/** Distance of each row to the centre, in canonical order. */
function distancesTo(values: readonly Float32Array[], centre: Float64Array): Float64Array {
  return Float64Array.from(values, (x) => Math.sqrt(squaredDistance(x, centre)));
}

/** centre ← centre + Σ_i coef_i (x_i − centre) / n, blocked over coordinates, float64. */
function stepTowards(values: readonly Float32Array[], coef: Float64Array, centre: Float64Array, divisor: number): void {
  const d = centre.length;
  const acc = new Float64Array(BLOCK);
  for (let j0 = 0; j0 < d; j0 += BLOCK) {
    const len = Math.min(BLOCK, d - j0);
    acc.fill(0, 0, len);
    for (let i = 0; i < values.length; i++) {
      const x = values[i]!;
      const c = coef[i]!;
      if (c === 0) continue;
      for (let jj = 0; jj < len; jj++) acc[jj]! += c * (x[j0 + jj]! - centre[j0 + jj]!);
    }
    for (let jj = 0; jj < len; jj++) centre[j0 + jj]! += acc[jj]! / divisor;
  }
}

/** Weighted mean Σ coef_i x_i / Σ coef_i into `out`, blocked, float64. */
function weightedMean(values: readonly Float32Array[], coef: Float64Array, out: Float64Array): void {
  const d = out.length;
  let total = 0;
  for (const c of coef) total += c;
  for (let j0 = 0; j0 < d; j0 += BLOCK) {
    const len = Math.min(BLOCK, d - j0);
    out.fill(0, j0, j0 + len);
    for (let i = 0; i < values.length; i++) {
      const x = values[i]!;
      const c = coef[i]!;
      for (let jj = 0; jj < len; jj++) out[j0 + jj]! += c * x[j0 + jj]!;
    }
    for (let jj = 0; jj < len; jj++) out[j0 + jj]! /= total;
  }
}

/**
 * Centered clipping from the reference (the rule's `reference`, else the coordinate-wise median or
 * zero). Score = distance to the last centre; an update farther than τ is down-weighted by τ/dist.
 */
export function centeredClipping(rule: CenteredClippingRule, candidates: readonly Candidate[], d: number): RuleResult {
  const values = candidates.map((c) => c.values);
  const n = values.length;
  const tau = rule.tau;
  const centre = new Float64Array(d);
  if (rule.reference !== undefined) {
    if (rule.reference.length !== d) {
      throw new InvalidRuleError('reference', `has length ${rule.reference.length}, the model dimension is ${d}`);
    }
    for (let j = 0; j < d; j++) {
      const v = rule.reference[j]!;
      if (!Number.isFinite(v)) throw new InvalidRuleError(`reference[${j}]`, 'must be finite');
      centre[j] = v;
    }
  } else if ((rule.start ?? RULE_DEFAULTS.centeredClippingStart) === 'median') {
    centre.set(medianColumns(values, allRows(n), d).aggregate);
  }
  const iterations = rule.iterations ?? RULE_DEFAULTS.centeredClippingIterations;
  const coef = new Float64Array(n);
  let dist: Float64Array = new Float64Array(n);
  for (let it = 0; it < iterations; it++) {
    dist = distancesTo(values, centre);
    for (let i = 0; i < n; i++) coef[i] = dist[i]! > tau ? tau / dist[i]! : 1;
    stepTowards(values, coef, centre, n);
  }
  let total = 0;
  for (const c of coef) total += c;
  const outcomes: Outcome[] = candidates.map((_, i) => {
    const c = coef[i]!;
    return {
      status: c < 1 ? 'down-weighted' : 'selected',
      score: dist[i]!,
      weight: c / total,
      reason: c < 1 ? `distance ${dist[i]} to the centre clipped to tau ${tau}` : `within tau ${tau} of the centre`,
    };
  });
  const aggregate = new Float32Array(d);
  aggregate.set(centre);
  return { aggregate, outcomes };
}

/**
 * Geometric median by smoothed Weiszfeld iterations from the plain mean: z ← Σ β_i x_i / Σ β_i with
 * β_i = 1 / max(ν, ‖x_i − z‖); stops after maxIterations or when the objective Σ‖x_i − z‖ improves by
 * less than tolerance (relative). Score = distance to the result; share = β_i / Σ β. An update whose
 * share is below half of 1/n is reported as down-weighted.
 */
export function geometricMedian(rule: GeometricMedianRule, candidates: readonly Candidate[], d: number): RuleResult {
  const values = candidates.map((c) => c.values);
  const n = values.length;
  const nu = rule.nu ?? RULE_DEFAULTS.geometricMedianNu;
  const tolerance = rule.tolerance ?? RULE_DEFAULTS.geometricMedianTolerance;
  const maxIterations = rule.maxIterations ?? RULE_DEFAULTS.geometricMedianMaxIterations;
  const coef = new Float64Array(n).fill(1);
  let z: Float64Array = new Float64Array(d);
  let next: Float64Array = new Float64Array(d);
  weightedMean(values, coef, z);
  let dist: Float64Array = distancesTo(values, z);
  let objective = 0;
  for (const v of dist) objective += v;
  let iterations = 0;
  for (let it = 0; it < maxIterations; it++) {
    for (let i = 0; i < n; i++) coef[i] = 1 / Math.max(nu, dist[i]!);
    weightedMean(values, coef, next);
    [z, next] = [next, z];
    dist = distancesTo(values, z);
    iterations++;
    let updated = 0;
    for (const v of dist) updated += v;
    const improved = objective - updated;
    objective = updated;
    if (improved <= tolerance * objective) break;
  }
  for (let i = 0; i < n; i++) coef[i] = 1 / Math.max(nu, dist[i]!);
  let total = 0;
  for (const c of coef) total += c;
  const outcomes: Outcome[] = candidates.map((_, i) => {
    const share = coef[i]! / total;
    return {
      status: share < 0.5 / n ? 'down-weighted' : 'selected',
      score: dist[i]!,
      weight: share,
      reason: `distance ${dist[i]} to the geometric median after ${iterations} Weiszfeld iterations`,
    };
  });
  const aggregate = new Float32Array(d);
  aggregate.set(z);
  return { aggregate, outcomes };
}
