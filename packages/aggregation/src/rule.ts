import { InvalidRuleError } from './errors';

/**
 * Norm-bound pre-filter, applied before any rule: an update whose L2 norm exceeds `maxNorm` is
 * either scaled down onto the ball (`clip`) or left out (`reject`).
 */
export interface NormBound {
  readonly maxNorm: number;
  readonly action: 'clip' | 'reject';
}

/** Fields every rule shares. */
interface RuleCommon {
  /** Declared number of Byzantine updates the rule must tolerate. */
  readonly f: number;
  /** Input hygiene: an update whose L2 norm exceeds this is rejected as absurd. Default 1e8. */
  readonly maxNorm?: number;
  /** Optional norm-bound pre-filter. */
  readonly normBound?: NormBound;
  /**
   * Optional pre-aggregation after hygiene and the norm bound: `nnm` replaces each update by the
   * mean of its n − f nearest updates (see mixing.ts). On a chain's parameter map it is written
   * `mixing: 1`.
   */
  readonly mixing?: Mixing;
}

/** The pre-aggregation mixings. */
export type Mixing = 'nnm';

/** Mean weighted by sample count. Tolerates no Byzantine update: f must be 0. */
export interface FedAvgRule extends RuleCommon {
  readonly name: 'fedavg';
}

/** Coordinate-wise median. Needs n ≥ 2f + 1. */
export interface MedianRule extends RuleCommon {
  readonly name: 'median';
}

/**
 * Coordinate-wise trimmed mean: drops k = floor(beta·n) values from each end of every coordinate.
 * Needs k ≥ f and n ≥ 2k + 1.
 */
export interface TrimmedMeanRule extends RuleCommon {
  readonly name: 'trimmed-mean';
  readonly beta: number;
}

/** Krum (Blanchard et al. 2017): the update with the least sum of squared distances to its n−f−2 nearest. Needs n ≥ 2f + 3. */
export interface KrumRule extends RuleCommon {
  readonly name: 'krum';
}

/** Multi-Krum: the mean of the m updates with the best Krum scores. Needs n ≥ 2f + 3 and 1 ≤ m ≤ n − f. */
export interface MultiKrumRule extends RuleCommon {
  readonly name: 'multi-krum';
  readonly m: number;
}

/**
 * Bulyan (El Mhamdi et al. 2018): θ = n − 2f updates chosen by iterated Krum, then per coordinate the
 * mean of the β = θ − 2f values closest to the median. Needs n ≥ 4f + 3.
 */
export interface BulyanRule extends RuleCommon {
  readonly name: 'bulyan';
}

/**
 * Centered clipping (Karimireddy et al. 2021): from a reference v, `iterations` times
 * v ← v + mean_i(min(1, τ/‖x_i − v‖)(x_i − v)). The reference is `reference` when given (e.g. the
 * previous aggregate), else the coordinate-wise median (`start: 'median'`) or zero. Needs n ≥ 2f + 1.
 */
export interface CenteredClippingRule extends RuleCommon {
  readonly name: 'centered-clipping';
  readonly tau: number;
  readonly iterations?: number;
  readonly start?: 'median' | 'zero';
  readonly reference?: Float32Array;
}

/**
 * Geometric median by smoothed Weiszfeld iterations (RFA, Pillutla et al. 2022), started from the
 * mean; stops after `maxIterations` or when the objective improves by less than `tolerance`
 * (relative). Needs n ≥ 2f + 1.
 */
export interface GeometricMedianRule extends RuleCommon {
  readonly name: 'geometric-median';
  readonly maxIterations?: number;
  readonly nu?: number;
  readonly tolerance?: number;
}

/** An aggregation rule with its parameters, as a job declares it. */
export type Rule =
  | FedAvgRule
  | MedianRule
  | TrimmedMeanRule
  | KrumRule
  | MultiKrumRule
  | BulyanRule
  | CenteredClippingRule
  | GeometricMedianRule;

/** The name of a rule. */
export type RuleName = Rule['name'];

/** Every rule name, in a fixed order. */
export const RULE_NAMES: readonly RuleName[] = [
  'fedavg',
  'median',
  'trimmed-mean',
  'krum',
  'multi-krum',
  'bulyan',
  'centered-clipping',
  'geometric-median',
];

/** Defaults applied when a rule omits an optional parameter. */
export const RULE_DEFAULTS = {
  maxNorm: 1e8,
  centeredClippingIterations: 3,
  centeredClippingStart: 'median',
  geometricMedianMaxIterations: 10,
  geometricMedianNu: 1e-6,
  geometricMedianTolerance: 1e-6,
} as const;

const COMMON_FIELDS = ['name', 'f', 'maxNorm', 'normBound', 'mixing'];
const EXTRA_FIELDS: Record<RuleName, readonly string[]> = {
  fedavg: [],
  median: [],
  'trimmed-mean': ['beta'],
  krum: [],
  'multi-krum': ['m'],
  bulyan: [],
  'centered-clipping': ['tau', 'iterations', 'start', 'reference'],
  'geometric-median': ['maxIterations', 'nu', 'tolerance'],
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

function isRuleName(value: unknown): value is RuleName {
  return typeof value === 'string' && (RULE_NAMES as readonly string[]).includes(value);
}

function integer(value: unknown, field: string, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new InvalidRuleError(field, 'must be an integer');
  if (value < min) throw new InvalidRuleError(field, `must be at least ${min}`);
  return value;
}

function positive(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new InvalidRuleError(field, 'must be a finite number');
  if (value <= 0) throw new InvalidRuleError(field, 'must be greater than 0');
  return value;
}

function parseNormBound(value: unknown): NormBound {
  if (!isRecord(value)) throw new InvalidRuleError('normBound', 'must be an object { maxNorm, action }');
  for (const key of Object.keys(value)) {
    if (key !== 'maxNorm' && key !== 'action') throw new InvalidRuleError(`normBound.${key}`, 'unknown field');
  }
  const maxNorm = positive(value['maxNorm'], 'normBound.maxNorm');
  const action = value['action'];
  if (action !== 'clip' && action !== 'reject') throw new InvalidRuleError('normBound.action', "must be 'clip' or 'reject'");
  return { maxNorm, action };
}

/** `'nnm'` or 1 (a chain's numeric parameter map) turn mixing on; absent, `'none'` or 0 leave it off. */
function parseMixing(value: unknown): Mixing | undefined {
  if (value === undefined || value === 'none' || value === 0) return undefined;
  if (value === 'nnm' || value === 1) return 'nnm';
  throw new InvalidRuleError('mixing', "must be 'nnm' (or 1) or 'none' (or 0)");
}

function parseReference(value: unknown): Float32Array {
  if (value instanceof Float32Array) return value;
  if (!Array.isArray(value)) throw new InvalidRuleError('reference', 'must be a Float32Array or an array of numbers');
  const out = new Float32Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const v: unknown = value[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new InvalidRuleError(`reference[${i}]`, 'must be a finite number');
    out[i] = v;
  }
  return out;
}

/**
 * Turns untrusted input (parsed JSON) into a rule with every default filled in, or throws an
 * `InvalidRuleError` naming the offending field and the reason. Unknown fields are refused so that
 * two parties never read one rule differently.
 */
export function parseRule(input: unknown): Rule {
  if (!isRecord(input)) throw new InvalidRuleError('rule', 'must be an object');
  const name = input['name'];
  if (!isRuleName(name)) throw new InvalidRuleError('name', `must be one of ${RULE_NAMES.join(', ')}`);
  const allowed = [...COMMON_FIELDS, ...EXTRA_FIELDS[name]];
  for (const key of Object.keys(input)) {
    if (!allowed.includes(key)) throw new InvalidRuleError(key, `unknown field for rule ${name}`);
  }
  const f = input['f'] === undefined && name === 'fedavg' ? 0 : integer(input['f'], 'f', 0);
  const maxNorm = input['maxNorm'] === undefined ? RULE_DEFAULTS.maxNorm : positive(input['maxNorm'], 'maxNorm');
  const mixing = parseMixing(input['mixing']);
  const common = {
    f,
    maxNorm,
    ...(input['normBound'] === undefined ? {} : { normBound: parseNormBound(input['normBound']) }),
    ...(mixing === undefined ? {} : { mixing }),
  };
  switch (name) {
    case 'fedavg':
    case 'median':
    case 'krum':
    case 'bulyan':
      return { name, ...common };
    case 'trimmed-mean': {
      const beta = input['beta'];
      if (typeof beta !== 'number' || !Number.isFinite(beta) || beta < 0 || beta >= 0.5) {
        throw new InvalidRuleError('beta', 'must be a number in [0, 0.5)');
      }
      return { name, ...common, beta };
    }
    case 'multi-krum':
      return { name, ...common, m: integer(input['m'], 'm', 1) };
    case 'centered-clipping': {
      const start = input['start'] ?? RULE_DEFAULTS.centeredClippingStart;
      if (start !== 'median' && start !== 'zero') throw new InvalidRuleError('start', "must be 'median' or 'zero'");
      const iterations =
        input['iterations'] === undefined ? RULE_DEFAULTS.centeredClippingIterations : integer(input['iterations'], 'iterations', 1);
      return {
        name,
        ...common,
        tau: positive(input['tau'], 'tau'),
        iterations,
        start,
        ...(input['reference'] === undefined ? {} : { reference: parseReference(input['reference']) }),
      };
    }
    case 'geometric-median': {
      const maxIterations =
        input['maxIterations'] === undefined
          ? RULE_DEFAULTS.geometricMedianMaxIterations
          : integer(input['maxIterations'], 'maxIterations', 1);
      const nu = input['nu'] === undefined ? RULE_DEFAULTS.geometricMedianNu : positive(input['nu'], 'nu');
      const tolerance = input['tolerance'] === undefined ? RULE_DEFAULTS.geometricMedianTolerance : input['tolerance'];
      if (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance < 0) {
        throw new InvalidRuleError('tolerance', 'must be a finite number ≥ 0');
      }
      return { name, ...common, maxIterations, nu, tolerance };
    }
  }
}
