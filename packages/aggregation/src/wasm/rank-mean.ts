import { sortingNetwork } from './network';
import { code, eachGroup, HIGH_HALF, I32, loadGroups, V128, instantiate, kernelCache, op, wasmModule } from './module';

/**
 * The largest update count the sorting-network kernel is generated for; above it the coordinate-wise
 * rules select with quickselect instead (the network grows as n·log²n and keeps n values live).
 */
export const MAX_NETWORK_ROWS = 128;

/** Where the kernel's data lives in its memory. */
interface Layout {
  /** coordinates per block */
  readonly block: number;
  /** bytes between two rows' blocks */
  readonly stride: number;
  readonly outAt: number;
  readonly countsAt: number;
  readonly pages: number;
}

function layoutOf(n: number): Layout {
  // about 128 KiB of rows per block, so a block stays in L2 while the network runs over it
  const block = Math.max(64, Math.floor(8192 / n) * 4);
  const stride = block * 4;
  const outAt = n * stride;
  const countsAt = outAt + stride;
  return { block, stride, outAt, countsAt, pages: Math.ceil((countsAt + 16 * n) / 65536) };
}

/** The lower two float32 lanes of the first vector, then the lower two of the second. */
const JOIN_LOW_HALVES = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];

/**
 * The body of run(groups): for each group of four coordinates, load the n rows' values, sort each
 * coordinate's values with the network (lane-wise pmin/pmax; with equal values the pair stays as
 * it was, so the values are permuted, never duplicated), store the mean of ranks [from, to) summed
 * in rank order in float64 and rounded once to float32, and count per row the coordinates where
 * the row's value lies within [rank from, rank to−1].
 */
function rankMeanBody(n: number, from: number, to: number, at: Layout): (readonly number[])[] {
  const groups = 0;
  const p = 1;
  const end = 2;
  const v = (r: number): number => 3 + r;
  const low = 3 + n;
  const high = low + 1;
  const sumLow = high + 1;
  const sumHigh = sumLow + 1;
  const x = sumHigh + 1;
  const kernel = code();
  const { emit } = kernel;
  const promoted = (r: number, half: 'low' | 'high'): (readonly number[])[] =>
    half === 'low'
      ? [op.localGet(v(r)), op.f64x2PromoteLowF32x4]
      : [op.localGet(v(r)), op.localGet(v(r)), op.i8x16Shuffle(HIGH_HALF), op.f64x2PromoteLowF32x4];

  eachGroup(kernel, { groups, p, end }, () => {
    for (let r = 0; r < n; r++) emit(op.localGet(p), op.v128Load(r * at.stride), op.localSet(v(r)));
    for (const [i, j] of sortingNetwork(n)) {
      emit(op.localGet(v(i)), op.localGet(v(j)), op.f32x4Pmin, op.localGet(v(j)), op.localGet(v(i)), op.f32x4Pmax);
      emit(op.localSet(v(j)), op.localSet(v(i)));
    }
    emit(op.localGet(v(from)), op.localSet(low), op.localGet(v(to - 1)), op.localSet(high));
    for (const [half, sum] of [['low', sumLow], ['high', sumHigh]] as const) {
      emit(...promoted(from, half));
      for (let r = from + 1; r < to; r++) emit(...promoted(r, half), op.f64x2Add);
      if (to - from > 1) emit(op.f64Const(to - from), op.f64x2Splat, op.f64x2Div);
      emit(op.localSet(sum));
    }
    emit(op.localGet(p), op.localGet(sumLow), op.f32x4DemoteF64x2Zero, op.localGet(sumHigh), op.f32x4DemoteF64x2Zero);
    emit(op.i8x16Shuffle(JOIN_LOW_HALVES), op.v128Store(at.outAt));
    for (let r = 0; r < n; r++) {
      const count = at.countsAt + 16 * r;
      emit(op.i32Const(0), op.i32Const(0), op.v128Load(count));
      emit(op.localGet(p), op.v128Load(r * at.stride), op.localTee(x), op.localGet(low), op.f32x4Ge);
      emit(op.localGet(x), op.localGet(high), op.f32x4Le, op.v128And, op.i32x4Sub, op.v128Store(count));
    }
  });
  return kernel.body;
}

/**
 * Per coordinate, the mean of the values of ranks [from, to) among n rows (the median, or a trimmed
 * mean), on four coordinates at a time with a sorting network compiled for n. Deterministic: the
 * network, the summation order and the rounding depend on n, from and to only.
 */
export class RankMeanKernel {
  private static readonly cached = kernelCache(16, (n: number, from: number, to: number) => new RankMeanKernel(n, layoutOf(n), from, to));

  private readonly rows: Float32Array;
  private readonly out: Float32Array;
  private readonly counts: Int32Array;
  private readonly runGroups: (groups: number) => void;

  private constructor(
    private readonly n: number,
    private readonly at: Layout,
    from: number,
    to: number,
  ) {
    const { memory, functions } = instantiate(
      wasmModule(at.pages, [{ name: 'run', params: 1, locals: [[2, I32], [n + 5, V128]], body: rankMeanBody(n, from, to, at) }]),
    );
    this.rows = new Float32Array(memory, 0, at.outAt / 4);
    this.out = new Float32Array(memory, at.outAt, at.block);
    this.counts = new Int32Array(memory, at.countsAt, 4 * n);
    this.runGroups = functions['run']!;
  }

  /** The kernel for n rows and ranks [from, to), 0 ≤ from < to ≤ n ≤ MAX_NETWORK_ROWS. */
  static of(n: number, from: number, to: number): RankMeanKernel {
    if (!(n >= 1 && n <= MAX_NETWORK_ROWS && from >= 0 && from < to && to <= n)) {
      throw new RangeError(`no rank-mean kernel for n=${n}, ranks [${from}, ${to})`);
    }
    return RankMeanKernel.cached(n, from, to);
  }

  /**
   * Over coordinates [start, end) of values[rows[0..n)]: writes out[start..end) and adds into
   * kept[r] the number of coordinates where row r's value was among those averaged (or tied with
   * the bounds of that range).
   */
  run(values: readonly Float32Array[], rows: Int32Array, start: number, end: number, out: Float32Array, kept: Float64Array): void {
    const { n, at } = this;
    this.counts.fill(0);
    // coordinates past the end of the last group are zero in every row: each row counts them as kept
    let padding = 0;
    for (let j0 = start; j0 < end; j0 += at.block) {
      const len = Math.min(at.block, end - j0);
      let groups = 0;
      for (let r = 0; r < n; r++) groups = loadGroups(this.rows, r * at.block, values[rows[r]!]!, j0, len);
      this.runGroups(groups);
      out.set(this.out.subarray(0, len), j0);
      padding += 4 * groups - len;
    }
    for (let r = 0; r < n; r++) {
      const c = this.counts;
      kept[r]! += c[4 * r]! + c[4 * r + 1]! + c[4 * r + 2]! + c[4 * r + 3]! - padding;
    }
  }
}
