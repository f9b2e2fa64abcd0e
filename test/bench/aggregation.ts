// Aggregation rules on synthetic updates: `npm run bench -- aggregation --n 32 --d 1663370`.
// Prints per-rule best-of-runs seconds of `aggregate` (seconds) and of `aggregateParallel` on a pool
// of --workers threads (parallel_seconds), and a memory-bandwidth floor (one plain pass summing
// every update value, on one thread), then one JSON line. Update values live in shared memory, as
// a service feeding the pool would keep them. Never asserts timings.
import { performance } from 'node:perf_hooks';
import { aggregate, aggregateParallel, createAggregationPool, sharedFloat32Array } from '../../packages/aggregation/src/index';
import type { Rule, Update } from '../../packages/aggregation/src/index';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const raw = i >= 0 ? process.argv[i + 1] : undefined;
  const v = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(v)) throw new Error(`--${name} must be a number`);
  return v;
}

const n = arg('n', 32);
const d = arg('d', 1_663_370);
const f = arg('f', Math.max(0, Math.floor((n - 3) / 4)));
const runs = arg('runs', 5);
const workers = arg('workers', 2);
// fast rules run more than --runs times, until --min-seconds were spent on them (at most 4 × runs)
const minSeconds = arg('min-seconds', 1);
const seed = arg('seed', 1);
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1]?.split(',') : undefined;

/** mulberry32: a small seeded generator, uniform in [0, 1). */
function rng(s: number): () => number {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeUpdates(): Update[] {
  const random = rng(seed);
  const truth = new Float32Array(d);
  for (let j = 0; j < d; j++) truth[j] = (random() - 0.5) * 0.02;
  const updates: Update[] = [];
  for (let i = 0; i < n; i++) {
    const x = sharedFloat32Array(d);
    const attacker = i < f;
    for (let j = 0; j < d; j++) {
      const noise = (random() + random() + random() - 1.5) * 0.01;
      x[j] = attacker ? -10 * truth[j]! + noise : truth[j]! + noise;
    }
    updates.push({ id: `update-${String(i).padStart(4, '0')}`, values: x, weight: 100 + i });
  }
  return updates;
}

/** The memory-bandwidth floor: one plain pass summing every value of every update. */
function plainPass(updates: readonly Update[]): number {
  let total = 0;
  for (const u of updates) {
    const x = u.values;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    const end = x.length - (x.length % 4);
    for (let j = 0; j < end; j += 4) {
      s0 += x[j]!;
      s1 += x[j + 1]!;
      s2 += x[j + 2]!;
      s3 += x[j + 3]!;
    }
    for (let j = end; j < x.length; j++) s0 += x[j]!;
    total += s0 + s1 + s2 + s3;
  }
  return total;
}

/** Best-of-runs wall seconds, and the best process CPU seconds (all threads) of the same runs. */
const cpuBest: Record<string, number> = {};

async function best(label: string, fn: () => unknown): Promise<number> {
  let min = Infinity;
  let cpuMin = Infinity;
  let spent = 0;
  let r = 0;
  for (; r < runs || (spent < minSeconds && r < 4 * runs); r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    const s = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    cpuMin = Math.min(cpuMin, (c.user + c.system) / 1e6);
    spent += s;
    if (s < min) min = s;
  }
  cpuBest[label] = cpuMin;
  console.log(`${label.padEnd(30)} ${min.toFixed(4)} s (best of ${r}; CPU ${cpuMin.toFixed(4)} s)`);
  return min;
}

const rules: Rule[] = [
  { name: 'fedavg', f: 0 },
  { name: 'median', f },
  { name: 'trimmed-mean', f, beta: f / n },
  { name: 'krum', f },
  { name: 'multi-krum', f, m: n - f },
  { name: 'bulyan', f },
  { name: 'centered-clipping', f, tau: 1, iterations: 3 },
  { name: 'geometric-median', f },
];

async function main(): Promise<void> {
  const t0 = performance.now();
  const updates = makeUpdates();
  console.log(`generated n=${n} d=${d} f=${f} (${f} scaled sign-flipped) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const pool = createAggregationPool({ workers });
  let sink = 0;
  const floor = await best('floor (plain sum)', () => {
    sink += plainPass(updates);
  });
  const seconds: Record<string, number> = {};
  const parallel: Record<string, number> = {};
  for (const rule of rules) {
    if (only !== undefined && !only.includes(rule.name)) continue;
    seconds[rule.name] = await best(rule.name, () => {
      sink += aggregate(rule, updates).aggregate[0]!;
    });
    parallel[rule.name] = await best(`${rule.name} (${workers} workers)`, async () => {
      sink += (await aggregateParallel(rule, updates, undefined, { pool })).aggregate[0]!;
    });
  }
  await pool.close();
  if (seconds['fedavg'] !== undefined) {
    console.log(`fedavg / floor = ${(seconds['fedavg'] / floor).toFixed(2)}, with ${workers} workers ${(parallel['fedavg']! / floor).toFixed(2)}`);
  }
  if (Number.isNaN(sink)) console.log('sink is NaN');
  const ratio = (x: Record<string, number>): Record<string, number> =>
    Object.fromEntries(Object.entries(x).map(([k, v]) => [k, Number((v / floor).toFixed(2))]));
  console.log(
    JSON.stringify({
      n,
      d,
      f,
      runs,
      workers,
      seconds,
      parallel_seconds: parallel,
      floor_seconds: floor,
      floor_ratio: ratio(seconds),
      parallel_floor_ratio: ratio(parallel),
      // CPU seconds of the process (every thread), best of the same runs: on a loaded machine the
      // single-thread figures show what the code costs when it gets a core
      cpu_seconds: Object.fromEntries(Object.keys(seconds).map((k) => [k, cpuBest[k]])),
      floor_cpu_seconds: cpuBest['floor (plain sum)'],
    }),
  );
}

void main();
