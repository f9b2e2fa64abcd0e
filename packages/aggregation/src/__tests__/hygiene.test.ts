import { aggregate } from '../aggregate';
import {
  AggregationInputError,
  ByzantineBudgetError,
  InsufficientUpdatesError,
} from '../errors';
import type { Update } from '../types';
import { bytes, updatesOf } from './helpers';

describe('Byzantine budgets', () => {
  test.each([
    [{ name: 'bulyan', f: 1 } as const, 6, 'n ≥ 4f+3 = 7'],
    [{ name: 'krum', f: 1 } as const, 4, 'n ≥ 2f+3 = 5'],
    [{ name: 'multi-krum', f: 1, m: 2 } as const, 4, 'n ≥ 2f+3 = 5'],
    [{ name: 'median', f: 2 } as const, 4, 'n ≥ 2f+1 = 5'],
    [{ name: 'geometric-median', f: 2 } as const, 4, 'n ≥ 2f+1 = 5'],
    [{ name: 'centered-clipping', f: 2, tau: 1 } as const, 4, 'n ≥ 2f+1 = 5'],
    [{ name: 'trimmed-mean', f: 2, beta: 0.25 } as const, 4, 'k = floor(beta·n) = 1 ≥ f'],
    [{ name: 'fedavg', f: 1 } as const, 4, 'f = 0'],
  ])('%o refuses n=%i', (rule, n, requirement) => {
    const rows = Array.from({ length: n }, (_, i) => [i]);
    let error: unknown;
    try {
      aggregate(rule, updatesOf(rows));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ByzantineBudgetError);
    const budget = error as ByzantineBudgetError;
    expect(budget.rule).toBe(rule.name);
    expect(budget.n).toBe(n);
    expect(budget.f).toBe(rule.f);
    expect(budget.requirement).toContain(requirement);
    expect(budget.message).toContain(`n=${n}`);
    expect(budget.message).toContain(rule.name);
  });

  test('multi-krum refuses m > n − f', () => {
    expect(() => aggregate({ name: 'multi-krum', f: 1, m: 5 }, updatesOf([[0], [1], [2], [3], [4]]))).toThrow(
      ByzantineBudgetError,
    );
  });

  test('too few valid updates after hygiene is a named error', () => {
    const updates = updatesOf([[1], [2], [NaN]]);
    let error: unknown;
    try {
      aggregate({ name: 'median', f: 1 }, updates);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InsufficientUpdatesError);
    expect((error as InsufficientUpdatesError).valid).toBe(2);
    expect((error as InsufficientUpdatesError).rejected).toBe(1);
  });
});

describe('input hygiene', () => {
  const clean = updatesOf([[1, 2], [3, 4], [5, 6], [7, 8], [9, 10]]);
  const bad: Update[] = [
    { id: 'x-nan', values: Float32Array.of(NaN, 1) },
    { id: 'x-inf', values: Float32Array.of(1, -Infinity) },
    { id: 'x-short', values: Float32Array.of(1) },
    { id: 'x-absurd', values: Float32Array.of(3e9, 0) },
    { id: 'x-weight', values: Float32Array.of(1, 1), weight: -2 },
    { id: 'x-array', values: [1, 2] as unknown as Float32Array },
  ];

  test.each(['fedavg', 'median', 'krum', 'geometric-median'] as const)(
    '%s rejects each malformed update with a reason and ignores it',
    (name) => {
      const rule = name === 'fedavg' ? { name, f: 0 } : { name, f: 1 };
      const expected = aggregate(rule, clean).aggregate;
      const result = aggregate(rule, [...bad, ...clean]);
      expect(bytes(result.aggregate)).toEqual(bytes(expected));
      const byId = new Map(result.decisions.map((d) => [d.id, d]));
      expect(byId.get('x-nan')?.reason).toMatch(/NaN or infinite/);
      expect(byId.get('x-inf')?.reason).toMatch(/NaN or infinite/);
      expect(byId.get('x-short')?.reason).toMatch(/length 1 differs from the model dimension 2/);
      expect(byId.get('x-absurd')?.reason).toMatch(/hygiene bound/);
      expect(byId.get('x-weight')?.reason).toMatch(/weight -2/);
      expect(byId.get('x-array')?.reason).toMatch(/not a Float32Array/);
      for (const b of bad) {
        expect(byId.get(b.id)?.status).toBe('rejected');
        expect(byId.get(b.id)?.weight).toBe(0);
      }
      expect(result.decisions.map((d) => d.id)).toEqual([...result.decisions.map((d) => d.id)].sort());
    },
  );

  test('the hygiene norm bound is configurable', () => {
    const result = aggregate({ name: 'median', f: 1, maxNorm: 10 }, clean);
    expect(result.decisions.map((d) => d.status)).toEqual(['trimmed', 'selected', 'trimmed', 'rejected', 'rejected']);
  });

  test('identical duplicates count once; conflicting ones are all rejected', () => {
    const dup = aggregate({ name: 'fedavg', f: 0 }, [...clean, clean[0]!]);
    expect(bytes(dup.aggregate)).toEqual(bytes(aggregate({ name: 'fedavg', f: 0 }, clean).aggregate));
    expect(dup.decisions).toHaveLength(5);
    const conflict = aggregate({ name: 'fedavg', f: 0 }, [...clean, { id: 'u00', values: Float32Array.of(0, 0) }]);
    expect(conflict.decisions[0]).toMatchObject({ id: 'u00', status: 'rejected' });
    expect(Array.from(conflict.aggregate)).toEqual([6, 7]);
  });

  test('norm-bound pre-filter clips or rejects before any rule', () => {
    const updates = updatesOf([[3, 4], [0, 1], [30, 40]]);
    const clipped = aggregate({ name: 'fedavg', f: 0, normBound: { maxNorm: 5, action: 'clip' } }, updates);
    expect(Array.from(clipped.aggregate)).toEqual([2, 3]); // (3,4) + (0,1) + (3,4), over 3
    expect(clipped.decisions[2]).toMatchObject({ status: 'down-weighted' });
    expect(clipped.decisions[2]!.reason).toMatch(/clipped to 5/);
    const rejected = aggregate({ name: 'fedavg', f: 0, normBound: { maxNorm: 5, action: 'reject' } }, updates);
    expect(Array.from(rejected.aggregate)).toEqual([1.5, 2.5]);
    expect(rejected.decisions[2]).toMatchObject({ status: 'rejected', weight: 0 });
  });

  test('malformed calls are named errors', () => {
    expect(() => aggregate({ name: 'fedavg', f: 0 }, [])).toThrow(AggregationInputError);
    expect(() => aggregate({ name: 'fedavg', f: 0 }, clean, [1, 2])).toThrow(AggregationInputError);
    const tie = [...updatesOf([[1], [2]]), { id: 'z', values: Float32Array.of(1, 2) }, { id: 'zz', values: Float32Array.of(1, 2) }];
    expect(() => aggregate({ name: 'fedavg', f: 0 }, tie)).toThrow(/pass options.dimension/);
    const fixed = aggregate({ name: 'fedavg', f: 0 }, tie, undefined, { dimension: 2 });
    expect(Array.from(fixed.aggregate)).toEqual([1, 2]);
  });
});
