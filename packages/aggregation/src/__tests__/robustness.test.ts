import { aggregate } from '../aggregate';
import { ByzantineBudgetError } from '../errors';
import type { Rule } from '../rule';
import type { Update } from '../types';
import { distance, gaussian, rng } from './helpers';

const D = 64;
const SIGMA = 0.1;

type Attack = 'sign-flip' | 'scaled' | 'gaussian';

/**
 * `honest` updates drawn around a known true vector (N(0, σ²) per coordinate) and `attackers`
 * Byzantine ones: the true vector sign-flipped (×−4), scaled ×10, or pure Gaussian noise of σ = 5.
 * Ids are random so attackers sit anywhere in canonical order.
 */
function scenario(seed: number, honest: number, attackers: number, attack: Attack) {
  const random = rng(seed);
  const truth = Float64Array.from({ length: D }, () => 1 + random());
  const updates: Update[] = [];
  const honestRows: Float32Array[] = [];
  for (let i = 0; i < honest + attackers; i++) {
    const x = new Float32Array(D);
    for (let j = 0; j < D; j++) {
      if (i < honest) x[j] = truth[j]! + SIGMA * gaussian(random);
      else if (attack === 'sign-flip') x[j] = -4 * truth[j]!;
      else if (attack === 'scaled') x[j] = 10 * (truth[j]! + SIGMA * gaussian(random));
      else x[j] = 5 * gaussian(random);
    }
    if (i < honest) honestRows.push(x);
    updates.push({ id: `${Math.floor(random() * 1e9).toString(16)}-${i}`, values: x });
  }
  const mean = new Float64Array(D);
  for (const x of honestRows) for (let j = 0; j < D; j++) mean[j]! += x[j]! / honest;
  /** The honest radius: the farthest honest update from the honest mean. */
  const radius = Math.max(...honestRows.map((x) => distance(x, mean)));
  return { updates, mean, radius };
}

// 14 honest + 6 attackers: 30% Byzantine, declared f = 6.
const F = 6;
const ROBUST: Rule[] = [
  { name: 'median', f: F },
  { name: 'trimmed-mean', f: F, beta: 0.3 },
  { name: 'krum', f: F },
  { name: 'multi-krum', f: F, m: 8 },
  { name: 'centered-clipping', f: F, tau: 0.5, iterations: 3 },
  { name: 'geometric-median', f: F },
];
const ATTACKS: Attack[] = ['sign-flip', 'scaled', 'gaussian'];

describe('30% Byzantine updates', () => {
  describe.each(ATTACKS)('%s attackers', (attack) => {
    test.each(ROBUST.map((r) => [r.name, r] as const))(
      '%s stays within the honest radius of the honest mean',
      (_name, rule) => {
        for (const seed of [1, 2, 3]) {
          const { updates, mean, radius } = scenario(seed, 14, F, attack);
          const result = aggregate(rule, updates);
          expect(distance(result.aggregate, mean)).toBeLessThanOrEqual(radius);
        }
      },
    );

    test('fedavg is dragged far outside it', () => {
      const { updates, mean, radius } = scenario(1, 14, F, attack);
      const result = aggregate({ name: 'fedavg', f: 0 }, updates);
      expect(distance(result.aggregate, mean)).toBeGreaterThan(5 * radius);
    });

    test('bulyan refuses 30% and holds at its budget of n = 4f+3', () => {
      const { updates } = scenario(1, 14, F, attack);
      expect(() => aggregate({ name: 'bulyan', f: F }, updates)).toThrow(ByzantineBudgetError);
      for (const seed of [1, 2, 3]) {
        const atBudget = scenario(seed, 18, 5, attack); // n = 23 = 4·5 + 3, 22% Byzantine
        const result = aggregate({ name: 'bulyan', f: 5 }, atBudget.updates);
        expect(distance(result.aggregate, atBudget.mean)).toBeLessThanOrEqual(atBudget.radius);
      }
    });
  });

  test('krum and bulyan never select an attacker', () => {
    const { updates } = scenario(4, 18, 5, 'scaled');
    const attackers = new Set(updates.slice(18).map((u) => u.id));
    for (const rule of [{ name: 'krum', f: 5 }, { name: 'bulyan', f: 5 }] as const) {
      const { decisions } = aggregate(rule, updates);
      for (const d of decisions) if (attackers.has(d.id)) expect(d.status).toBe('trimmed');
    }
  });
});
