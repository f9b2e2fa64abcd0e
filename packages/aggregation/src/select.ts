/**
 * In-place selection on a slice of a Float64Array: after `select(a, lo, hi, k)` (hi inclusive,
 * lo ≤ k ≤ hi) a[k] holds the value of rank k − lo, everything in [lo, k) is ≤ a[k] and everything
 * in (k, hi] is ≥ a[k]. Deterministic (median-of-three pivots, no randomness), linear expected time,
 * no allocation.
 */
export function select(a: Float64Array, lo: number, hi: number, k: number): void {
  while (hi - lo > 12) {
    const mid = (lo + hi) >>> 1;
    let x = a[lo]!;
    let y = a[mid]!;
    let z = a[hi]!;
    if (y < x) {
      const t = x;
      x = y;
      y = t;
    }
    if (z < y) {
      const t = y;
      y = z;
      z = t;
      if (y < x) {
        const u = x;
        x = y;
        y = u;
      }
    }
    a[lo] = x;
    a[mid] = y;
    a[hi] = z;
    const pivot = y;
    let i = lo + 1;
    let j = hi - 1;
    for (;;) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i >= j) break;
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
      i++;
      j--;
    }
    // [lo, j] ≤ pivot ≤ [j+1, hi]
    if (k <= j) hi = j;
    else lo = j + 1;
  }
  insertionSort(a, lo, hi);
}

/** Sorts a[lo..hi] (inclusive) ascending in place. */
export function insertionSort(a: Float64Array, lo: number, hi: number): void {
  for (let i = lo + 1; i <= hi; i++) {
    const v = a[i]!;
    let j = i - 1;
    while (j >= lo && a[j]! > v) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = v;
  }
}

/** Smallest value of a[lo..hi] (inclusive). */
export function minOf(a: Float64Array, lo: number, hi: number): number {
  let m = a[lo]!;
  for (let i = lo + 1; i <= hi; i++) {
    const v = a[i]!;
    if (v < m) m = v;
  }
  return m;
}
