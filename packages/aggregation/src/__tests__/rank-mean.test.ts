import fc from 'fast-check';
import { allRows, medianRange, trimmedMeanRange } from '../coordinatewise';
import { MAX_NETWORK_ROWS, RankMeanKernel } from '../wasm/rank-mean';
import { sortingNetwork } from '../wasm/network';
import { rng } from './helpers';

/** Per coordinate: the mean of ranks [from, to) summed in rank order in float64, and per-row kept counts. */
function reference(values: readonly Float32Array[], rows: Int32Array, from: number, to: number, d: number): { out: Float32Array; kept: Float64Array } {
  const out = new Float32Array(d);
  const kept = new Float64Array(rows.length);
  for (let j = 0; j < d; j++) {
    const column = Array.from(rows, (r) => values[r]![j]!).sort((a, b) => a - b);
    let s = column[from]!;
    for (let t = from + 1; t < to; t++) s += column[t]!;
    out[j] = s / (to - from);
    rows.forEach((r, i) => {
      const v = values[r]![j]!;
      if (v >= column[from]! && v <= column[to - 1]!) kept[i]! += 1;
    });
  }
  return { out, kept };
}

/** n rows of d values drawn from a few levels (so columns hold ties, and signed zeros), or spread out. */
function rowsOf(n: number, d: number, seed: number, ties: boolean): Float32Array[] {
  const random = rng(seed);
  return Array.from({ length: n }, () =>
    Float32Array.from({ length: d }, () => (ties ? [-1, -0, 0, 0.5, 2][Math.floor(random() * 5)]! : (random() - 0.5) * 10 ** (6 * random() - 3))),
  );
}

describe('sorting network', () => {
  it('sorts every sequence of zeros and ones for n up to 16 (so, by the 0-1 principle, every input)', () => {
    for (let n = 1; n <= 16; n++) {
      const network = sortingNetwork(n);
      for (let bits = 0; bits < 1 << n; bits++) {
        const a = Array.from({ length: n }, (_, i) => (bits >> i) & 1);
        for (const [i, j] of network) {
          if (a[i]! > a[j]!) [a[i], a[j]] = [a[j]!, a[i]!];
        }
        for (let i = 1; i < n; i++) if (a[i - 1]! > a[i]!) throw new Error(`n=${n} leaves ${a.join('')} unsorted`);
      }
    }
  });

  it('has Batcher\u2019s comparator counts', () => {
    expect([2, 4, 8, 16, 32, 64].map((n) => sortingNetwork(n).length)).toEqual([1, 5, 19, 63, 191, 543]);
  });
});

describe('rank-mean kernel', () => {
  it('matches a sort of every column for any n, rank range and length', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 2600 }),
        fc.integer(),
        fc.boolean(),
        fc.nat(),
        (n, d, seed, ties, pick) => {
          const from = pick % n;
          const to = from + 1 + (Math.floor(pick / n) % (n - from));
          const values = rowsOf(n, d, seed, ties);
          const rows = allRows(n).reverse();
          const out = new Float32Array(d);
          const kept = new Float64Array(n);
          RankMeanKernel.of(n, from, to).run(values, rows, 0, d, out, kept);
          const want = reference(values, rows, from, to, d);
          // === so that the two zeros count as one value: which of a tied −0 and 0 a sort puts first is not defined
          const wrong = out.findIndex((v, j) => v !== want.out[j]);
          expect(wrong === -1 ? null : { j: wrong, got: out[wrong], want: want.out[wrong] }).toBeNull();
          expect(Array.from(kept)).toEqual(Array.from(want.kept));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('covers a sub-range of coordinates and a subset of rows, and adds into the kept counts', () => {
    const values = rowsOf(MAX_NETWORK_ROWS + 3, 3000, 7, false);
    const rows = Int32Array.from({ length: MAX_NETWORK_ROWS }, (_, i) => (i * 37) % (MAX_NETWORK_ROWS + 3));
    const out = new Float32Array(3000);
    const kept = new Float64Array(MAX_NETWORK_ROWS).fill(5);
    RankMeanKernel.of(MAX_NETWORK_ROWS, 10, MAX_NETWORK_ROWS - 10).run(values, rows, 1001, 2999, out, kept);
    const want = reference(values, rows, 10, MAX_NETWORK_ROWS - 10, 3000);
    expect(out.subarray(1001, 2999).findIndex((v, j) => v !== want.out[1001 + j])).toBe(-1);
    expect(out[1000]).toBe(0);
    expect(out[2999]).toBe(0);
    const wantPart = reference(values.map((v) => v.subarray(1001, 2999)), rows, 10, MAX_NETWORK_ROWS - 10, 1998).kept;
    expect(Array.from(kept)).toEqual(Array.from(wantPart, (k) => k + 5));
  });

  it('is refused outside 1 ≤ n ≤ the network limit and 0 ≤ from < to ≤ n', () => {
    expect(() => RankMeanKernel.of(MAX_NETWORK_ROWS + 1, 0, 1)).toThrow(RangeError);
    expect(() => RankMeanKernel.of(4, 2, 2)).toThrow(RangeError);
    expect(() => RankMeanKernel.of(4, 0, 5)).toThrow(RangeError);
  });
});

describe('median and trimmed mean beyond the network limit', () => {
  it('select with quickselect and give the same values as a sort', () => {
    const n = MAX_NETWORK_ROWS + 1;
    const values = rowsOf(n, 300, 3, false);
    const rows = allRows(n);
    for (const [run, from, to] of [
      [(out: Float32Array, kept: Float64Array) => medianRange(values, rows, 0, 300, out, kept), 64, 65],
      [(out: Float32Array, kept: Float64Array) => trimmedMeanRange(values, rows, 20, 0, 300, out, kept), 20, n - 20],
    ] as const) {
      const out = new Float32Array(300);
      const kept = new Float64Array(n);
      run(out, kept);
      const want = reference(values, rows, from, to, 300);
      // the quickselect path sums the kept values in the order selection leaves them, not rank order
      const far = out.findIndex((v, j) => Math.abs(v - want.out[j]!) > 1e-6 * Math.max(1, Math.abs(want.out[j]!)));
      expect(far).toBe(-1);
      expect(Array.from(kept)).toEqual(Array.from(want.kept));
    }
  });
});
