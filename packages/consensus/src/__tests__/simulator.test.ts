import { runBatch } from '../sim/runner';
import { runSimulation } from '../sim/simulation';
import { SCENARIOS, mixedScenario, selectScenarios } from '../sim/scenarios';
import { EventQueue } from '../sim/queue';
import { Prng } from '../sim/prng';
import { SimulationUsageError } from '../errors';

const byName = (name: string) => {
  const s = SCENARIOS.find((x) => x.name === name);
  if (!s) throw new Error(`no scenario ${name}`);
  return s;
};

describe('simulator building blocks', () => {
  it('the PRNG repeats a seed and differs between seeds', () => {
    const a = new Prng(7);
    const b = new Prng(7);
    const c = new Prng(8);
    const sa = Array.from({ length: 5 }, () => a.uint32());
    expect(Array.from({ length: 5 }, () => b.uint32())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.uint32())).not.toEqual(sa);
  });

  it('the event queue pops by time, then by insertion order', () => {
    const q = new EventQueue<string>();
    q.push(5, 'c');
    q.push(1, 'a');
    q.push(5, 'd');
    q.push(2, 'b');
    const out: string[] = [];
    for (let e = q.pop(); e; e = q.pop()) out.push(e.event);
    expect(out.join('')).toBe('abcd');
  });

  it('rejects unknown scenarios and impossible sizes', () => {
    expect(() => selectScenarios('n99', 4, 1)).toThrow(SimulationUsageError);
    expect(() => mixedScenario(3, 1)).toThrow(SimulationUsageError);
    expect(selectScenarios('all', 4, 1).map((s) => s.name)).toContain('n4f1-mixed');
  });
});

describe('simulated runs', () => {
  it('replays a seed exactly', () => {
    const s = byName('n4f1-equivocation');
    const one = runSimulation(s, 11, { trace: true });
    const two = runSimulation(s, 11, { trace: true });
    expect(one.trace.length).toBeGreaterThan(50);
    expect(two.trace).toEqual(one.trace);
    expect(runSimulation(s, 12, { trace: true }).trace).not.toEqual(one.trace);
  });

  it('crashed validators restart from their write-ahead log and keep committing', () => {
    const s = byName('n4-crash-restart');
    let restarts = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const r = runSimulation(s, seed, { trace: true });
      restarts += r.trace.filter((l) => l.includes('RESTART')).length;
      expect(r.violations).toEqual([]);
      expect(r.livenessFailure).toBeNull();
    }
    expect(restarts).toBeGreaterThan(10);
  });

  it('equivocation is seen and reported as evidence', () => {
    const summary = runBatch([byName('n4f1-equivocation')], { firstSeed: 1, seeds: 40 });
    expect(summary.scenarios['n4f1-equivocation']?.evidence).toBeGreaterThan(0);
  });

  it('finds no violation and no stall in 300 seeds of every scenario', () => {
    const summary = runBatch(selectScenarios('all', 4, 1), { firstSeed: 1, seeds: 300 });
    const failing = summary.failures.map((f) => `${f.scenario}:${f.seed} ${[...f.violations, f.livenessFailure].map((v) => v?.detail).join('; ')}`);
    expect(failing).toEqual([]);
    expect(summary.violations).toBe(0);
    expect(summary.liveness_failures).toBe(0);
    expect(summary.heights_committed).toBeGreaterThanOrEqual(summary.runs * 3);
  });
});

describe('the simulator has teeth', () => {
  it('reports a safety violation within 300 seeds when the lock is ignored on prevote', () => {
    const summary = runBatch([byName('n4f1-amnesia')], {
      firstSeed: 1,
      seeds: 300,
      faults: { ignoreLockOnPrevote: true },
      stopOnViolation: true,
    });
    expect(summary.violations).toBeGreaterThan(0);
    const found = summary.failures.find((f) => f.violations.length > 0);
    expect(found?.violations[0]?.invariant).toBe('agreement');
    // The same seed without the planted bug is clean.
    if (found) expect(runSimulation(byName('n4f1-amnesia'), found.seed).violations).toEqual([]);
  });
});
