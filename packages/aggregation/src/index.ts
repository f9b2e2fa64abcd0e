/**
 * Robust aggregation rules over Float32Array, pure and deterministic: the same set of updates gives
 * the same bytes on every machine, whatever their order.
 */
export { aggregate } from './aggregate';
export { aggregateParallel, sharedFloat32Array } from './parallel';
export type { ParallelAggregateOptions } from './parallel';
export { AggregationPool, createAggregationPool } from './pool/pool';
export { inlineRunner, PoolRuleRunner, POOL_THRESHOLDS, runsOnPool } from './runner';
export type { PoolRunnerOptions, PoolThresholds, RuleRunner } from './runner';
export type { AggregationPoolOptions, AggregationPoolState } from './pool/pool';
export { checkBudget } from './budget';
export type { BudgetCheck } from './budget';
export {
  AggregationError,
  AggregationInputError,
  AggregationPoolError,
  ByzantineBudgetError,
  InsufficientUpdatesError,
  InvalidRuleError,
} from './errors';
export { parseRule, RULE_DEFAULTS, RULE_NAMES } from './rule';
export type {
  BulyanRule,
  CenteredClippingRule,
  FedAvgRule,
  GeometricMedianRule,
  KrumRule,
  MedianRule,
  Mixing,
  MultiKrumRule,
  NormBound,
  Rule,
  RuleName,
  TrimmedMeanRule,
} from './rule';
export type { AggregateOptions, AggregationResult, Decision, DecisionStatus, Update } from './types';
