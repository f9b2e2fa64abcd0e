import fc from 'fast-check';
import { aggregate } from '../aggregate';
import { ByzantineBudgetError, AggregationPoolError } from '../errors';
import { aggregateParallel, sharedFloat32Array } from '../parallel';
import { createAggregationPool } from '../pool/pool';
import type { AggregationPool } from '../pool/pool';
import type { Rule } from '../rule';
import type { AggregationResult, Update } from '../types';
import { bytes, rng } from './helpers';

let pool: AggregationPool;
beforeAll(() => {
  pool = createAggregationPool({ workers: 2 });
});
afterAll(async () => {
  await pool.close();
});

/** n updates over d coordinates (long enough to split into several ranges and Gram blocks), f of them hostile. */
const scenario = fc.record({
  n: fc.integer({ min: 7, max: 19 }),
  d: fc.integer({ min: 1, max: 9000 }),
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  shared: fc.boolean(),
  ties: fc.boolean(),
});

function build(s: { n: number; d: number; seed: number; shared: boolean; ties: boolean }): Update[] {
  const random = rng(s.seed);
  const f = Math.floor((s.n - 3) / 4);
  return Array.from({ length: s.n }, (_, i) => {
    const x = s.shared ? sharedFloat32Array(s.d) : new Float32Array(s.d);
    for (let j = 0; j < s.d; j++) {
      // with ties: few distinct values (and both zeros), so equal values and ±0 meet in the middle ranks
      const v = s.ties ? Math.round(random() * 4) - 2 + (random() < 0.2 ? -0 : 0) : (random() - 0.5) * 2 ** Math.floor(random() * 20 - 10);
      x[j] = i < f ? -10 * v : v;
    }
    return { id: `u${Math.floor(random() * 1e9)}`, values: x, weight: 1 + Math.floor(random() * 50) };
  });
}

const RULES: ((f: number, n: number) => Rule)[] = [
  () => ({ name: 'fedavg', f: 0 }),
  () => ({ name: 'fedavg', f: 0, normBound: { maxNorm: 30, action: 'reject' } }),
  (f) => ({ name: 'median', f }),
  (f) => ({ name: 'median', f, normBound: { maxNorm: 10, action: 'clip' } }),
  (f, n) => ({ name: 'trimmed-mean', f, beta: f / n }),
  (f, n) => ({ name: 'trimmed-mean', f, beta: f / n, mixing: 'nnm' }),
  (f) => ({ name: 'krum', f, mixing: 'nnm', normBound: { maxNorm: 10, action: 'clip' } }),
  (f) => ({ name: 'krum', f }),
  (f, n) => ({ name: 'multi-krum', f, m: n - f }),
  (f) => ({ name: 'bulyan', f }),
  (f) => ({ name: 'centered-clipping', f, tau: 3, iterations: 2 }),
];

describe('aggregateParallel', () => {
  test.each(RULES.map((r) => [r(1, 10).name + (r(1, 10).normBound ? ' with a norm bound' : ''), r] as const))(
    '%s gives the bytes and decisions of aggregate',
    async (_name, make) => {
      await fc.assert(
        fc.asyncProperty(scenario, async (s) => {
          const updates = build(s);
          const rule = make(Math.floor((s.n - 3) / 4), s.n);
          let expected: AggregationResult;
          try {
            expected = aggregate(rule, updates);
          } catch (err) {
            await expect(aggregateParallel(rule, updates, undefined, { pool })).rejects.toThrow((err as Error).message);
            return;
          }
          const got = await aggregateParallel(rule, updates, undefined, { pool });
          expect(bytes(got.aggregate)).toEqual(bytes(expected.aggregate));
          expect(JSON.stringify(got.decisions)).toBe(JSON.stringify(expected.decisions));
          expect(got.aggregate.buffer).not.toBeInstanceOf(SharedArrayBuffer);
        }),
        { numRuns: 12 },
      );
    },
  );

  test.each(['krum', 'multi-krum', 'bulyan', 'median', 'fedavg'] as const)(
    '%s: rejected updates (NaN, infinite, wrong length, absurd norm) are left out as aggregate does',
    async (name) => {
      const updates = build({ n: 15, d: 2500, seed: 11, shared: true, ties: false });
      const bad = (i: number, values: Float32Array): void => {
        updates[i] = { ...updates[i]!, values };
      };
      const nan = Float32Array.from(updates[2]!.values);
      nan[1234] = NaN;
      bad(2, nan);
      const inf = sharedFloat32Array(2500);
      inf[7] = -Infinity;
      bad(5, inf);
      bad(8, new Float32Array(2499));
      bad(11, Float32Array.from(updates[11]!.values, (v) => v * 1e9));
      const rule: Rule =
        name === 'fedavg' ? { name, f: 0 } : name === 'multi-krum' ? { name, f: 2, m: 5 } : { name, f: name === 'bulyan' ? 1 : 2 };
      const expected = aggregate(rule, updates);
      expect(expected.decisions.filter((x) => x.status === 'rejected')).toHaveLength(4);
      const got = await aggregateParallel(rule, updates, undefined, { pool });
      expect(bytes(got.aggregate)).toEqual(bytes(expected.aggregate));
      expect(JSON.stringify(got.decisions)).toBe(JSON.stringify(expected.decisions));
    },
  );

  test('calls running at the same time on one pool do not disturb each other', async () => {
    const updates = build({ n: 13, d: 12_000, seed: 21, shared: true, ties: false });
    const rules: Rule[] = [
      { name: 'fedavg', f: 0 },
      { name: 'trimmed-mean', f: 2, beta: 0.2 },
      { name: 'fedavg', f: 0 },
      { name: 'krum', f: 2 },
      { name: 'median', f: 2 },
      { name: 'bulyan', f: 2 },
    ];
    const got = await Promise.all(rules.map((rule) => aggregateParallel(rule, updates, undefined, { pool })));
    got.forEach((result, i) => expect(bytes(result.aggregate)).toEqual(bytes(aggregate(rules[i]!, updates).aggregate)));
  });

  test('uses the weights argument as aggregate does', async () => {
    const updates = build({ n: 9, d: 700, seed: 5, shared: false, ties: false });
    const weights = updates.map((_, i) => i + 1);
    const rule: Rule = { name: 'fedavg', f: 0 };
    const got = await aggregateParallel(rule, updates, weights, { pool });
    expect(bytes(got.aggregate)).toEqual(bytes(aggregate(rule, updates, weights).aggregate));
    expect(bytes(got.aggregate)).not.toEqual(bytes(aggregate(rule, updates).aggregate));
  });

  test('rejects as aggregate does', async () => {
    const updates = build({ n: 7, d: 10, seed: 3, shared: false, ties: false });
    await expect(aggregateParallel({ name: 'bulyan', f: 2 }, updates, undefined, { pool })).rejects.toBeInstanceOf(ByzantineBudgetError);
    expect(pool.state).toBe('running');
  });

  test('starts and closes its own pool when none is given', async () => {
    const updates = build({ n: 7, d: 300, seed: 9, shared: true, ties: false });
    const rule: Rule = { name: 'median', f: 1 };
    const got = await aggregateParallel(rule, updates);
    expect(bytes(got.aggregate)).toEqual(bytes(aggregate(rule, updates).aggregate));
  });

  test('a closed pool refuses work', async () => {
    const own = createAggregationPool({ workers: 1 });
    expect(own.size).toBe(1);
    const updates = build({ n: 7, d: 50, seed: 4, shared: false, ties: false });
    await aggregateParallel({ name: 'median', f: 1 }, updates, undefined, { pool: own });
    await own.close();
    expect(own.state).toBe('closed');
    await expect(aggregateParallel({ name: 'median', f: 1 }, updates, undefined, { pool: own })).rejects.toBeInstanceOf(AggregationPoolError);
    await own.close();
  });
});
