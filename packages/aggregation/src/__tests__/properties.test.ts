import fc from 'fast-check';
import { aggregate } from '../aggregate';
import { RULE_DEFAULTS, type Rule } from '../rule';
import type { Update } from '../types';
import { bytes } from './helpers';

/** n updates of dimension d with ids in a shuffled namespace, and a permutation of them. */
const scenario = fc
  .record({ n: fc.integer({ min: 7, max: 12 }), d: fc.integer({ min: 1, max: 24 }) })
  .chain(({ n, d }) =>
    fc.record({
      rows: fc.array(
        // values k/10⁴ with |k| ≤ 10⁶: no subnormals, so scaling by 2^±k is exact
        fc.array(fc.integer({ min: -1_000_000, max: 1_000_000 }).map((k) => k / 1e4), { minLength: d, maxLength: d }),
        { minLength: n, maxLength: n },
      ),
      ids: fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { minLength: n, maxLength: n }),
      weights: fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: n, maxLength: n }),
      order: fc.array(fc.nat(), { minLength: n, maxLength: n }),
    }),
  );

function build(s: { rows: number[][]; ids: string[]; weights: number[] }, scale = 1): Update[] {
  return s.rows.map((r, i) => ({ id: s.ids[i]!, values: Float32Array.from(r, (v) => v * scale), weight: s.weights[i]! }));
}

function permute<T>(items: readonly T[], keys: readonly number[]): T[] {
  return items
    .map((item, i) => ({ item, key: keys[i]!, i }))
    .sort((a, b) => a.key - b.key || b.i - a.i)
    .map((e) => e.item);
}

// f = 1 fits every rule's budget for 7 ≤ n ≤ 12 (Bulyan needs n ≥ 7).
const RULES: Rule[] = [
  { name: 'fedavg', f: 0 },
  { name: 'median', f: 1 },
  { name: 'trimmed-mean', f: 1, beta: 0.2 },
  { name: 'krum', f: 1 },
  { name: 'multi-krum', f: 1, m: 3 },
  { name: 'bulyan', f: 1 },
  { name: 'centered-clipping', f: 1, tau: 5, iterations: 2 },
  { name: 'geometric-median', f: 1 },
];

const runs = { numRuns: 40 };

/** Rules that choose among the updates (or their values) rather than blend them all. */
const CHOOSERS = new Set<Rule['name']>(['krum', 'multi-krum', 'bulyan']);

describe.each(RULES.map((r) => [r.name, r] as const))('%s', (_name, rule) => {
  test('gives byte-identical output whatever the arrival order', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const updates = build(s);
        const a = aggregate(rule, updates);
        const b = aggregate(rule, permute(updates, s.order));
        expect(bytes(b.aggregate)).toEqual(bytes(a.aggregate));
        expect(JSON.stringify(b.decisions)).toBe(JSON.stringify(a.decisions));
      }),
      runs,
    );
  });

  test('returns the update itself when all updates are identical', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const row = s.rows[0]!;
        const updates = build({ ...s, rows: s.rows.map(() => row) });
        // −0 and +0 are one value: compare with signed zeros folded
        const got = Float32Array.from(aggregate(rule, updates).aggregate, (v) => v + 0);
        expect(bytes(got)).toEqual(bytes(Float32Array.from(row, (v) => v + 0)));
      }),
      runs,
    );
  });

  // Krum's family and Bulyan choose whole updates, or values nearest a median: where two choices
  // nearly tie, rounding c·x to float32 may tip a choice, a jump no tolerance covers. Their factors
  // are powers of two, which scale exactly; every other rule is continuous and takes any factor.
  const chooses = CHOOSERS.has(rule.name);
  test(`is scale-equivariant (exactly for a power of two${chooses ? '' : ', closely for any positive constant'})`, () => {
    const factor = chooses ? fc.constantFrom(0.25, 0.5, 2, 4, 8) : fc.double({ min: 0.25, max: 8, noNaN: true });
    fc.assert(
      fc.property(scenario, factor, (s, c) => {
        // A rule's own lengths scale with the data: centered clipping's τ, and the geometric median's
        // smoothing ν (a distance below it counts as ν, as near the median itself).
        const scaledRule = (k: number): Rule =>
          rule.name === 'centered-clipping' ? { ...rule, tau: rule.tau * k } : rule.name === 'geometric-median' ? { ...rule, nu: (rule.nu ?? RULE_DEFAULTS.geometricMedianNu) * k } : rule;
        const base = aggregate(rule, build(s)).aggregate;
        const expectExactly = (k: number, out: Float32Array): void => expect(bytes(out.map((v) => v + 0))).toEqual(bytes(Float32Array.from(base, (v) => v * k + 0)));
        expectExactly(2, aggregate(scaledRule(2), build(s, 2)).aggregate);
        const scaled = aggregate(scaledRule(c), build(s, c)).aggregate;
        if (chooses) return expectExactly(c, scaled);
        let norm = 0;
        for (const v of base) norm = Math.max(norm, Math.abs(v));
        for (let j = 0; j < base.length; j++) {
          expect(Math.abs(scaled[j]! - c * base[j]!)).toBeLessThanOrEqual(1e-4 * c * (norm + 100));
        }
      }),
      { numRuns: 25 },
    );
  });
});
