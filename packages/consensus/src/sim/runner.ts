/** Runs many seeds of many scenarios and sums up what they found. */
import type { CoreFaults } from '../context';
import { runSimulation } from './simulation';
import type { RunResult } from './simulation';
import type { Scenario } from './scenarios';

/** Counts for one scenario. */
export interface ScenarioSummary {
  seeds: number;
  violations: number;
  liveness_failures: number;
  heights_committed: number;
  evidence: number;
}

/** Counts over every scenario, plus the first failing runs. */
export interface Summary {
  seeds: number;
  runs: number;
  violations: number;
  liveness_failures: number;
  heights_committed: number;
  inputs_applied: number;
  scenarios: Record<string, ScenarioSummary>;
  /** Failing runs, in the order found (at most `keepFailures`). */
  failures: RunResult[];
}

/** Options of a batch. */
export interface BatchOptions {
  readonly firstSeed: number;
  readonly seeds: number;
  readonly faults?: CoreFaults;
  readonly keepFailures?: number;
  /** Stop at the first run with a safety violation. */
  readonly stopOnViolation?: boolean;
  readonly onFailure?: (result: RunResult) => void;
}

/** Runs seeds firstSeed .. firstSeed+seeds-1 of every scenario. */
export function runBatch(scenarios: readonly Scenario[], options: BatchOptions): Summary {
  const summary: Summary = {
    seeds: 0,
    runs: 0,
    violations: 0,
    liveness_failures: 0,
    heights_committed: 0,
    inputs_applied: 0,
    scenarios: {},
    failures: [],
  };
  for (const s of scenarios) {
    summary.scenarios[s.name] = { seeds: 0, violations: 0, liveness_failures: 0, heights_committed: 0, evidence: 0 };
  }
  const keep = options.keepFailures ?? 10;
  const runOptions = options.faults ? { faults: options.faults } : {};
  for (let i = 0; i < options.seeds; i++) {
    const seed = options.firstSeed + i;
    summary.seeds++;
    for (const scenario of scenarios) {
      const result = runSimulation(scenario, seed, runOptions);
      const per = summary.scenarios[scenario.name] as ScenarioSummary;
      per.seeds++;
      summary.runs++;
      per.violations += result.violations.length;
      summary.violations += result.violations.length;
      per.heights_committed += result.heightsCommitted;
      summary.heights_committed += result.heightsCommitted;
      summary.inputs_applied += result.inputsApplied;
      per.evidence += result.evidence;
      if (result.livenessFailure) {
        per.liveness_failures++;
        summary.liveness_failures++;
      }
      if (result.violations.length > 0 || result.livenessFailure) {
        if (summary.failures.length < keep) summary.failures.push(result);
        options.onFailure?.(result);
        if (options.stopOnViolation && result.violations.length > 0) return summary;
      }
    }
  }
  return summary;
}
