/**
 * Batcher's merge-exchange sorting network for any n (Knuth, TAOCP vol. 3, 5.2.2, Algorithm M):
 * the comparators (i, j), i < j, in order; applying each as (min → i, max → j) sorts n values
 * ascending. n = 32 takes 191 comparators, none depending on the data.
 */
export function sortingNetwork(n: number): [number, number][] {
  const out: [number, number][] = [];
  if (n < 2) return out;
  const t = Math.ceil(Math.log2(n));
  for (let p = 2 ** (t - 1); p > 0; p >>= 1) {
    let q = 2 ** (t - 1);
    let r = 0;
    let d = p;
    for (;;) {
      for (let i = 0; i < n - d; i++) if ((i & p) === r) out.push([i, i + d]);
      if (q === p) break;
      d = q - p;
      q >>= 1;
      r = p;
    }
  }
  return out;
}
