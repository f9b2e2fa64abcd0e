import type { Update } from '../types';

/** mulberry32: seeded uniform numbers in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal by Box–Muller. */
export function gaussian(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Updates from plain number rows, with ids u00, u01, … in row order. */
export function updatesOf(rows: readonly (readonly number[])[], weights?: readonly number[]): Update[] {
  return rows.map((r, i) => ({
    id: `u${String(i).padStart(2, '0')}`,
    values: Float32Array.from(r),
    ...(weights === undefined ? {} : { weight: weights[i]! }),
  }));
}

/** L2 distance between two vectors, in float64. */
export function distance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += (a[j]! - b[j]!) ** 2;
  return Math.sqrt(s);
}

/** The bytes of a Float32Array, for byte-identity checks. */
export function bytes(x: Float32Array): Buffer {
  return Buffer.from(x.buffer, x.byteOffset, x.byteLength);
}
