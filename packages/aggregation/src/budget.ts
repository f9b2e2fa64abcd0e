import type { Rule } from './rule';

/** Whether a rule's guarantee covers n updates of which up to f are Byzantine, and the requirement in words. */
export interface BudgetCheck {
  readonly ok: boolean;
  readonly requirement: string;
}

/** Trimmed count per side for trimmed-mean: floor(beta · n). */
export function trimCount(beta: number, n: number): number {
  return Math.floor(beta * n);
}

/**
 * The Byzantine budget of each rule: whether n updates with up to f Byzantine ones are within the
 * rule's guarantee.
 */
export function checkBudget(rule: Rule, n: number): BudgetCheck {
  const f = rule.f;
  switch (rule.name) {
    case 'fedavg':
      return { ok: f === 0 && n >= 1, requirement: 'f = 0 and n ≥ 1 (the mean has no Byzantine tolerance)' };
    case 'median':
    case 'centered-clipping':
    case 'geometric-median':
      return { ok: n >= 2 * f + 1, requirement: `n ≥ 2f+1 = ${2 * f + 1}` };
    case 'trimmed-mean': {
      const k = trimCount(rule.beta, n);
      return {
        ok: k >= f && n >= 2 * k + 1,
        requirement: `k = floor(beta·n) = ${k} ≥ f and n ≥ 2k+1 = ${2 * k + 1}`,
      };
    }
    case 'krum':
      return { ok: n >= 2 * f + 3, requirement: `n ≥ 2f+3 = ${2 * f + 3}` };
    case 'multi-krum':
      return {
        ok: n >= 2 * f + 3 && rule.m <= n - f,
        requirement: `n ≥ 2f+3 = ${2 * f + 3} and m = ${rule.m} ≤ n−f`,
      };
    case 'bulyan':
      return { ok: n >= 4 * f + 3, requirement: `n ≥ 4f+3 = ${4 * f + 3}` };
  }
}
