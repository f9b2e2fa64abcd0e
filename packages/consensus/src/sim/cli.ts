/**
 * `npm run sim -- --seeds 10000 --validators 4 --byzantine 1 --scenario all`
 * `npm run sim -- --seed 42 --scenario n4f1-equivocation --trace`
 * Runs seeded executions of the real core; the last line of output is JSON.
 */
import { SimulationUsageError } from '../errors';
import { runBatch } from './runner';
import { runSimulation } from './simulation';
import type { RunResult } from './simulation';
import { selectScenarios } from './scenarios';

interface CliOptions {
  seeds: number;
  firstSeed: number;
  validators: number;
  byzantine: number;
  scenario: string;
  trace: boolean;
  single: boolean;
}

function parse(argv: readonly string[]): CliOptions {
  const o: CliOptions = { seeds: 100, firstSeed: 1, validators: 4, byzantine: 1, scenario: 'all', trace: false, single: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new SimulationUsageError(`${flag} needs a value`);
      return v;
    };
    const int = (): number => {
      const v = Number(value());
      if (!Number.isSafeInteger(v) || v < 0) throw new SimulationUsageError(`${flag} needs a non-negative integer`);
      return v;
    };
    switch (flag) {
      case '--seeds':
        o.seeds = int();
        break;
      case '--first-seed':
        o.firstSeed = int();
        break;
      case '--seed':
        o.firstSeed = int();
        o.seeds = 1;
        o.single = true;
        break;
      case '--validators':
        o.validators = int();
        break;
      case '--byzantine':
        o.byzantine = int();
        break;
      case '--scenario':
        o.scenario = value();
        break;
      case '--trace':
        o.trace = true;
        break;
      default:
        throw new SimulationUsageError(`unknown option ${flag ?? ''}`);
    }
  }
  return o;
}

function report(result: RunResult, trace: readonly string[]): void {
  const problems = [...result.violations, ...(result.livenessFailure ? [result.livenessFailure] : [])];
  console.log(`\n=== ${result.scenario} seed ${result.seed}: ${problems.length} problem(s)`);
  for (const v of problems) console.log(`  ${v.invariant} at t=${v.time.toFixed(1)}: ${v.detail}`);
  if (trace.length > 0) {
    console.log(`--- trace (${trace.length} lines; replay: npm run sim -- --seed ${result.seed} --scenario ${result.scenario} --trace)`);
    for (const line of trace) console.log(line);
  } else {
    console.log(`  replay: npm run sim -- --seed ${result.seed} --scenario ${result.scenario} --trace`);
  }
}

function main(): void {
  const o = parse(process.argv.slice(2));
  const scenarios = selectScenarios(o.scenario, o.validators, o.byzantine);
  const started = process.hrtime.bigint();
  let printedTraces = 0;
  const summary = runBatch(scenarios, {
    firstSeed: o.firstSeed,
    seeds: o.seeds,
    onFailure: (result) => {
      // Replay the failing run with tracing on (it is deterministic) for the first few.
      const showTrace = o.trace || (result.violations.length > 0 && printedTraces < 1);
      if (showTrace) printedTraces++;
      report(result, showTrace ? runSimulation(findScenario(result.scenario), result.seed, { trace: true }).trace : []);
    },
  });
  if (o.single && o.trace && summary.violations === 0 && summary.liveness_failures === 0) {
    for (const s of scenarios) {
      const r = runSimulation(s, o.firstSeed, { trace: true });
      console.log(`=== ${s.name} seed ${o.firstSeed}: ${r.heightsCommitted} heights, no problems`);
      for (const line of r.trace) console.log(line);
    }
  }
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const { failures: _failures, ...counts } = summary;
  console.log(
    JSON.stringify({
      ...counts,
      elapsed_s: Number(elapsed.toFixed(2)),
      failing_seeds: summary.failures.map((f) => `${f.scenario}:${f.seed}`),
    }),
  );
  if (summary.violations > 0 || summary.liveness_failures > 0) process.exitCode = 1;

  function findScenario(name: string) {
    const s = scenarios.find((x) => x.name === name);
    if (!s) throw new SimulationUsageError(`unknown scenario ${name}`);
    return s;
  }
}

try {
  main();
} catch (err) {
  if (err instanceof SimulationUsageError) {
    console.error(`sim: ${err.message}`);
    process.exitCode = 2;
  } else throw err;
}
