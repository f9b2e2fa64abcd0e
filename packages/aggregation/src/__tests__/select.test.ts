import fc from 'fast-check';
import { select } from '../select';

/**
 * The quickselect with the branching median-of-three that the trimmed mean's sums were first
 * defined by: `select` must leave every slice in exactly the arrangement this one leaves, since
 * the trimmed mean adds the kept values in position order.
 */
function branchingSelect(a: Float64Array, lo: number, hi: number, k: number): void {
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    const x = a[lo]!;
    const y = a[mid]!;
    const z = a[hi]!;
    let p = y;
    let at = mid;
    if (x < y) {
      if (!(y < z)) {
        if (x < z) {
          p = z;
          at = hi;
        } else {
          p = x;
          at = lo;
        }
      }
    } else if (x < z) {
      p = x;
      at = lo;
    } else if (y < z) {
      p = z;
      at = hi;
    }
    a[at] = z;
    a[hi] = p;
    let s = lo;
    for (let i = lo; i < hi; i++) {
      const v = a[i]!;
      a[i] = a[s]!;
      a[s] = v;
      s += +(v < p);
    }
    a[hi] = a[s]!;
    a[s] = p;
    if (k === s) return;
    if (k < s) hi = s - 1;
    else lo = s + 1;
  }
}

const slice = fc
  .record({
    // few distinct values in half the cases, so ties and equal pivots are common
    values: fc.oneof(fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 1, maxLength: 40 }), fc.array(fc.double({ noNaN: true }), { minLength: 1, maxLength: 40 })),
    lo: fc.nat(),
    k: fc.nat(),
  })
  .map(({ values, lo, k }) => {
    const start = lo % values.length;
    return { values, lo: start, hi: values.length - 1, k: start + (k % (values.length - start)) };
  });

describe('select', () => {
  test('puts the value of rank k − lo at k, smaller before it and larger after it', () => {
    fc.assert(
      fc.property(slice, ({ values, lo, hi, k }) => {
        const a = Float64Array.from(values);
        select(a, lo, hi, k);
        const sorted = Float64Array.from(values.slice(lo)).sort();
        // === so that −0 and +0, one value, compare equal
        expect(a[k]! === sorted[k - lo]!).toBe(true);
        for (let i = lo; i < k; i++) expect(a[i]! <= a[k]!).toBe(true);
        for (let i = k + 1; i <= hi; i++) expect(a[i]! >= a[k]!).toBe(true);
        expect(Array.from(a.slice(0, lo))).toEqual(values.slice(0, lo));
      }),
      { numRuns: 300 },
    );
  });

  test('leaves the arrangement of the branching median-of-three quickselect', () => {
    fc.assert(
      fc.property(slice, ({ values, lo, hi, k }) => {
        const a = Float64Array.from(values);
        const b = Float64Array.from(values);
        select(a, lo, hi, k);
        branchingSelect(b, lo, hi, k);
        expect(Buffer.from(a.buffer)).toEqual(Buffer.from(b.buffer));
      }),
      { numRuns: 1000 },
    );
  });
});
