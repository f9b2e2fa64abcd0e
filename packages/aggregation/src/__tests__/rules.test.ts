import { aggregate } from '../aggregate';
import type { Rule } from '../rule';
import { updatesOf } from './helpers';

const f32 = Math.fround;

function run(rule: Rule, rows: number[][], weights?: number[]): number[] {
  return Array.from(aggregate(rule, updatesOf(rows, weights)).aggregate);
}

describe('rules on hand-computed inputs', () => {
  test('fedavg weighs by sample count', () => {
    expect(run({ name: 'fedavg', f: 0 }, [[1, 2], [3, 4]], [1, 3])).toEqual([2.5, 3.5]);
    expect(run({ name: 'fedavg', f: 0 }, [[1, 2], [3, 4]])).toEqual([2, 3]);
  });

  test('weights argument overrides update weights', () => {
    const updates = updatesOf([[0], [4]], [1, 1]);
    expect(Array.from(aggregate({ name: 'fedavg', f: 0 }, updates, [3, 1]).aggregate)).toEqual([1]);
  });

  test('median, odd and even counts', () => {
    expect(run({ name: 'median', f: 1 }, [[1, -3], [5, 0], [2, 9]])).toEqual([2, 0]);
    expect(run({ name: 'median', f: 1 }, [[1], [10], [3], [2]])).toEqual([2.5]);
  });

  test('trimmed mean drops floor(beta n) from each end', () => {
    expect(run({ name: 'trimmed-mean', f: 1, beta: 0.25 }, [[1], [2], [3], [100]])).toEqual([2.5]);
    expect(run({ name: 'trimmed-mean', f: 1, beta: 0.2 }, [[-100], [1], [2], [3], [100]])).toEqual([2]);
    expect(run({ name: 'trimmed-mean', f: 0, beta: 0 }, [[1], [2], [6]])).toEqual([3]);
  });

  test('krum picks the update with the closest neighbours, ties to the lower id', () => {
    // scores with n−f−2 = 2 neighbours: 0.05, 0.02, 0.02, 0.05, huge
    const rows = [[0], [0.1], [0.2], [0.3], [10]];
    const result = aggregate({ name: 'krum', f: 1 }, updatesOf(rows));
    expect(Array.from(result.aggregate)).toEqual([f32(0.1)]);
    expect(result.decisions.map((d) => d.status)).toEqual(['trimmed', 'selected', 'trimmed', 'trimmed', 'trimmed']);
    const d1 = f32(0.1) - f32(0);
    const d2 = f32(0.2) - f32(0.1);
    expect(result.decisions[1]!.score).toBeCloseTo(d1 * d1 + d2 * d2, 12);
  });

  test('multi-krum averages the m best', () => {
    const rows = [[0], [0.1], [0.2], [0.3], [10]];
    expect(run({ name: 'multi-krum', f: 1, m: 2 }, rows)).toEqual([f32((f32(0.1) + f32(0.2)) / 2)]);
    expect(run({ name: 'multi-krum', f: 1, m: 4 }, rows)).toEqual([f32((f32(0.1) + f32(0.2) + f32(0.3)) / 4)]);
  });

  test('bulyan: iterated krum keeps {0,1,2,3,7}, then the 3 values closest to the median 2', () => {
    const rows = [[7, 70], [0, 0], [1, 10], [2, 20], [3, 30], [100, -5], [-100, 500]];
    const result = aggregate({ name: 'bulyan', f: 1 }, updatesOf(rows));
    expect(Array.from(result.aggregate)).toEqual([2, 20]);
    expect(result.decisions[5]!.status).toBe('trimmed');
    expect(result.decisions[6]!.status).toBe('trimmed');
    expect(result.decisions[0]!.status).toBe('trimmed'); // 7 is never among the 3 closest to the median
  });

  test('centered clipping from a reference, one iteration', () => {
    const rule: Rule = { name: 'centered-clipping', f: 1, tau: 1, iterations: 1, reference: Float32Array.of(0) };
    // clip factors 1, 1/3, 1/2: v = (0.5 + 1 − 1) / 3
    const result = aggregate(rule, updatesOf([[0.5], [3], [-2]]));
    expect(Array.from(result.aggregate)).toEqual([f32(0.5 / 3)]);
    expect(result.decisions.map((d) => d.status)).toEqual(['selected', 'down-weighted', 'down-weighted']);
  });

  test('centered clipping starts from the median by default', () => {
    const rule: Rule = { name: 'centered-clipping', f: 1, tau: 100, iterations: 1 };
    // median 1, nothing clipped: v = 1 + ((0−1) + (1−1) + (5−1)) / 3 = 2
    expect(run(rule, [[0], [1], [5]])).toEqual([2]);
  });

  test('geometric median of points on a line is their median', () => {
    const rule: Rule = { name: 'geometric-median', f: 1, maxIterations: 200, tolerance: 0, nu: 1e-9 };
    const [v] = run(rule, [[0], [1], [10]]);
    expect(v).toBeCloseTo(1, 3);
  });

  test('geometric median of a symmetric cross is its centre', () => {
    const rule: Rule = { name: 'geometric-median', f: 1 };
    expect(run(rule, [[1, 0], [-1, 0], [0, 1], [0, -1], [0, 0]])).toEqual([0, 0]);
  });
});
