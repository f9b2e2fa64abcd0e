import fc from 'fast-check';
import { addGramRange, gram, gramOfRanges, gramRanges, pairwiseSquaredDistances } from '../distances';
import { GRAM_BLOCK } from '../wasm/gram';
import { rng } from './helpers';

function rowsOf(n: number, d: number, seed: number): Float32Array[] {
  const random = rng(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: d }, () => (random() - 0.5) * 2));
}

/** ⟨x_a, x_b⟩ summed sequentially in float64. */
function dot(x: Float32Array, y: Float32Array): number {
  let s = 0;
  for (let j = 0; j < x.length; j++) s += x[j]! * y[j]!;
  return s;
}

describe('Gram matrix', () => {
  it('matches sequential float64 inner products for any row count and length', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 13 }), fc.integer({ min: 1, max: 3 * GRAM_BLOCK + 7 }), fc.integer(), (n, d, seed) => {
        const rows = rowsOf(n, d, seed);
        const g = gram(rows, d);
        for (let a = 0; a < n; a++) {
          for (let b = 0; b < n; b++) {
            const want = dot(rows[a]!, rows[b]!);
            // the same products summed in another order: equal to a few units in the last place of d terms
            expect(Math.abs(g[a * n + b]! - want)).toBeLessThanOrEqual(1e-12 * d);
            expect(g[a * n + b]).toBe(g[b * n + a]);
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it('is the ranges\u2019 upper triangles added in order, whichever thread computed each', () => {
    const n = 6;
    const d = 40 * GRAM_BLOCK + 3;
    const rows = rowsOf(n, d, 11);
    const ranges = gramRanges(d);
    expect(ranges.length).toBeGreaterThan(1);
    expect(ranges[0]![0]).toBe(0);
    expect(ranges.at(-1)![1]).toBe(d);
    ranges.forEach(([from], i) => i > 0 && expect(from).toBe(ranges[i - 1]![1]));
    // computed last range first, as a pool might finish them
    const partials = ranges.map(() => new Float64Array(n * n));
    for (let i = ranges.length - 1; i >= 0; i--) addGramRange(rows, ranges[i]![0], ranges[i]![1], partials[i]!);
    expect(Buffer.from(gramOfRanges(partials, n).buffer)).toEqual(Buffer.from(gram(rows, d).buffer));
  });

  it('gives distances of zero between identical rows and the squared distance otherwise', () => {
    const [x, y] = rowsOf(2, 5000, 3);
    const dist = pairwiseSquaredDistances([x!, x!, y!], 5000);
    expect(dist[1]).toBe(0);
    let want = 0;
    for (let j = 0; j < 5000; j++) want += (x![j]! - y![j]!) ** 2;
    expect(dist[2]).toBeCloseTo(want, 8);
    expect(dist[0]).toBe(0);
  });
});
