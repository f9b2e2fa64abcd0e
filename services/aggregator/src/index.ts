/** @learnchain/aggregator: rounds, robust aggregation of signed updates, and the content-addressed blob store. */
export { startAggregator } from './main';
export type { AggregatorConfig, AggregatorDeps, RunningAggregator } from './main';
export { aggregatorConfig } from './config';
export type { ChainClient, Committed, JobSource, MembershipSource } from './ports';
export type { JobSpec, RuleSpec } from './domain/job';
export { parseJob } from './domain/job';
export { decideRound, quorumOf } from './domain/round-policy';
export type { RoundDecision, RoundPolicy, OpenRoundView } from './domain/round-policy';
export { roundResultMessage, roundResultTx } from './tx';
export * from './errors';
