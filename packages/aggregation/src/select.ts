/**
 * Which of (lo, mid, hi) holds the median of three values x = a[lo], y = a[mid], z = a[hi], by the
 * comparison code (x<y)·4 + (y<z)·2 + (x<z): two bits per code, 0 = lo, 1 = mid, 2 = hi. It is
 * the choice of the plain nested comparisons (x<y: y<z ? mid : x<z ? hi : lo; otherwise
 * x<z ? lo : y<z ? hi : mid), looked up instead of branched on.
 */
const MEDIAN_OF_THREE = 0b01_01_10_00_00_10_00_01;

/**
 * In-place selection on a slice of a Float64Array: after `select(a, lo, hi, k)` (hi inclusive,
 * lo ≤ k ≤ hi) a[k] holds the value of rank k − lo, everything in [lo, k) is ≤ a[k] and everything
 * in (k, hi] is ≥ a[k]. Quickselect with a median-of-three pivot and a branch-free Lomuto
 * partition (the comparisons on real data are unpredictable, so branches would mispredict half
 * the time; the pivot is looked up for the same reason). Deterministic, linear expected time, no
 * allocation.
 */
export function select(a: Float64Array, lo: number, hi: number, k: number): void {
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    const x = a[lo]!;
    const y = a[mid]!;
    const z = a[hi]!;
    const code = (+(x < y) << 2) | (+(y < z) << 1) | +(x < z);
    const choice = (MEDIAN_OF_THREE >>> (2 * code)) & 3;
    const at = lo + +(choice === 1) * (mid - lo) + +(choice === 2) * (hi - lo);
    const p = a[at]!;
    a[at] = z;
    a[hi] = p;
    // [lo, s) < p ≤ [s, i): swap unconditionally, advance s by the comparison's 0 or 1
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
    m = Math.min(m, a[i]!);
  }
  return m;
}
