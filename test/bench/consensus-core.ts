/**
 * `npm run bench -- consensus-core [--seconds N]`: how fast the pure core applies
 * inputs, and how many heights per second the simulator commits.
 * Last line: JSON with inputs_per_s and sim_heights_per_s.
 */
import { apply, createState, makeValidatorSet } from '../../packages/consensus/src/index';
import type { ConsensusState, Effect, Input } from '../../packages/consensus/src/index';
import { runSimulation } from '../../packages/consensus/src/sim/simulation';
import { SCENARIOS } from '../../packages/consensus/src/sim/scenarios';

const args = process.argv.slice(2);
const secondsAt = args.indexOf('--seconds');
const budget = secondsAt >= 0 ? Number(args[secondsAt + 1]) : 3;

/**
 * Drives four in-process cores through heights on a perfect network: every
 * broadcast goes to every other core, timeouts never fire. Counts inputs applied.
 */
function coreThroughput(seconds: number): { inputs: number; heights: number; elapsed: number } {
  const addresses = ['v0', 'v1', 'v2', 'v3'];
  const set = makeValidatorSet(addresses.map((address) => ({ address, power: 1 })));
  let states: ConsensusState[] = addresses.map((address) => createState({ address, height: 1, validators: set }));
  let inputs = 0;
  let heights = 0;
  const queue: { to: number; input: Input }[] = [];
  const start = (height: number) => addresses.forEach((_, i) => queue.push({ to: i, input: { kind: 'start-height', height, validatorUpdates: [] } }));
  const handle = (from: number, effects: readonly Effect[]) => {
    for (const e of effects) {
      if (e.kind === 'broadcast') {
        for (let to = 0; to < addresses.length; to++) {
          if (to === from) continue;
          queue.push({ to, input: e.message.kind === 'vote' ? { kind: 'vote', vote: e.message.vote } : { kind: 'proposal', proposal: e.message.proposal } });
        }
      } else if (e.kind === 'request-proposal') {
        queue.push({ to: from, input: { kind: 'proposal-value', height: e.height, round: e.round, value: `block-${e.height}-${e.round}` } });
      } else if (e.kind === 'validate-proposal') {
        queue.push({ to: from, input: { kind: 'verdict', height: e.height, value: e.value, valid: true } });
      } else if (e.kind === 'commit' && from === 0) {
        heights++;
      }
    }
  };
  const began = process.hrtime.bigint();
  let height = 1;
  let elapsed = 0;
  start(height);
  for (;;) {
    const next = queue.shift();
    if (!next) {
      if ((heights & 63) === 0) {
        elapsed = Number(process.hrtime.bigint() - began) / 1e9;
        if (elapsed > seconds) break;
      }
      height++;
      start(height);
      continue;
    }
    const t = apply(states[next.to] as ConsensusState, next.input);
    inputs++;
    states = states.map((s, i) => (i === next.to ? t.state : s));
    handle(next.to, t.effects);
  }
  return { inputs, heights, elapsed };
}

function simThroughput(seconds: number): { runs: number; heights: number; elapsed: number } {
  const began = process.hrtime.bigint();
  let runs = 0;
  let heights = 0;
  let elapsed = 0;
  for (let seed = 1; elapsed < seconds; seed++) {
    for (const scenario of SCENARIOS) {
      heights += runSimulation(scenario, seed).heightsCommitted;
      runs++;
    }
    elapsed = Number(process.hrtime.bigint() - began) / 1e9;
  }
  return { runs, heights, elapsed };
}

const core = coreThroughput(budget);
const inputsPerS = core.inputs / core.elapsed;
console.log(`core: ${core.inputs} inputs, ${core.heights} heights in ${core.elapsed.toFixed(2)} s (4 validators, perfect network)`);
const sim = simThroughput(budget);
const simHeightsPerS = sim.heights / sim.elapsed;
console.log(`simulator: ${sim.runs} runs over ${SCENARIOS.length} scenarios, ${sim.heights} heights in ${sim.elapsed.toFixed(2)} s`);
console.log(
  JSON.stringify({
    inputs_per_s: Math.round(inputsPerS),
    core_heights_per_s: Math.round(core.heights / core.elapsed),
    sim_heights_per_s: Math.round(simHeightsPerS),
    sim_runs_per_s: Math.round(sim.runs / sim.elapsed),
  }),
);
