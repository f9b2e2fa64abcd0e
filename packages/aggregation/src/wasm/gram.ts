import { code, eachGroup, HIGH_HALF, I32, loadGroups, V128, instantiate, kernelCache, op, wasmModule } from './module';

/** Coordinates per block: a block of every row is copied into the kernel's memory at once. */
export const GRAM_BLOCK = 2048;
/** Rows per tile side: a tile's TILE × TILE inner products run together over a block. */
export const TILE = 4;

/**
 * The body of tile(a_0..a_{T−1}, b_0..b_{T−1}, groups), each a_i / b_j the byte offset of a row's
 * block: for every group of four coordinates, promote each row's values to float64 (coordinates
 * j, j+1 in the low half, j+2, j+3 in the high half) and add low·low, then high·high into the
 * pair's float64×2 sum; then store the T·T sums at `resultsAt`, pair (i, j) at 16·(i·T + j).
 * Products of two float32 values are exact in float64; the sums run in a fixed order.
 */
function tileBody(resultsAt: number): (readonly number[])[] {
  const row = (k: number): number => k; // parameters 0..2T−1: a rows, then b rows
  const groups = 2 * TILE;
  const p = groups + 1;
  const end = p + 1;
  const acc = (i: number, j: number): number => end + 1 + i * TILE + j;
  const x = (i: number, half: number): number => end + 1 + TILE * TILE + 2 * i + half;
  const y = (half: number): number => end + 1 + TILE * TILE + 2 * TILE + half;
  const kernel = code();
  const { emit } = kernel;
  const loadHalves = (offset: number, low: number, high: number): void => {
    emit(op.localGet(offset), op.localGet(p), op.i32Add, op.v128Load(0), op.localTee(high), op.f64x2PromoteLowF32x4, op.localSet(low));
    emit(op.localGet(high), op.localGet(high), op.i8x16Shuffle(HIGH_HALF), op.f64x2PromoteLowF32x4, op.localSet(high));
  };
  eachGroup(kernel, { groups, p, end }, () => {
    for (let i = 0; i < TILE; i++) loadHalves(row(i), x(i, 0), x(i, 1));
    for (let j = 0; j < TILE; j++) {
      loadHalves(row(TILE + j), y(0), y(1));
      for (let i = 0; i < TILE; i++) {
        emit(op.localGet(acc(i, j)), op.localGet(x(i, 0)), op.localGet(y(0)), op.f64x2Mul, op.f64x2Add);
        emit(op.localGet(x(i, 1)), op.localGet(y(1)), op.f64x2Mul, op.f64x2Add, op.localSet(acc(i, j)));
      }
    }
  });
  for (let i = 0; i < TILE; i++) {
    for (let j = 0; j < TILE; j++) emit(op.i32Const(0), op.localGet(acc(i, j)), op.v128Store(resultsAt + 16 * (i * TILE + j)));
  }
  return kernel.body;
}

/**
 * Inner products of n rows over ranges of coordinates, in TILE × TILE tiles compiled to
 * WebAssembly SIMD. An entry of a range's result is the sum, in block order, of its block sums;
 * a block sum is (sum of the even lanes) + (sum of the odd lanes) of the pair's float64×2 sum.
 */
export class GramKernel {
  /** The kernel for n rows. */
  static readonly of = kernelCache(8, (n: number) => new GramKernel(n));

  private readonly rows: Float32Array;
  private readonly results: Float64Array;
  private readonly tile: (...offsets: number[]) => void;

  private constructor(private readonly n: number) {
    const rowsBytes = n * GRAM_BLOCK * 4;
    const pages = Math.ceil((rowsBytes + 16 * TILE * TILE) / 65536);
    const { memory, functions } = instantiate(
      wasmModule(pages, [
        { name: 'tile', params: 2 * TILE + 1, locals: [[2, I32], [TILE * TILE + 2 * TILE + 2, V128]], body: tileBody(rowsBytes) },
      ]),
    );
    this.rows = new Float32Array(memory, 0, n * GRAM_BLOCK);
    this.results = new Float64Array(memory, rowsBytes, 2 * TILE * TILE);
    this.tile = functions['tile']!;
  }

  /**
   * Adds ⟨x_a, x_b⟩ over coordinates [from, to) into g[a·n + b] for every a ≤ b (the upper
   * triangle and the diagonal), block by block from `from`.
   */
  addRange(values: readonly Float32Array[], from: number, to: number, g: Float64Array): void {
    const { n } = this;
    const tiles = Math.ceil(n / TILE);
    // a tile past the last row repeats the last row; its products are dropped
    const offset = (r: number): number => Math.min(r, n - 1) * GRAM_BLOCK * 4;
    for (let j0 = from; j0 < to; j0 += GRAM_BLOCK) {
      const len = Math.min(GRAM_BLOCK, to - j0);
      let groups = 0;
      for (let r = 0; r < n; r++) groups = loadGroups(this.rows, r * GRAM_BLOCK, values[r]!, j0, len);
      for (let ta = 0; ta < tiles; ta++) {
        for (let tb = ta; tb < tiles; tb++) {
          const offsets: number[] = [];
          for (let i = 0; i < TILE; i++) offsets.push(offset(ta * TILE + i));
          for (let j = 0; j < TILE; j++) offsets.push(offset(tb * TILE + j));
          this.tile(...offsets, groups);
          this.addTile(ta, tb, g);
        }
      }
    }
  }

  private addTile(ta: number, tb: number, g: Float64Array): void {
    const { n, results } = this;
    for (let i = 0; i < TILE; i++) {
      const a = ta * TILE + i;
      if (a >= n) return;
      for (let j = 0; j < TILE; j++) {
        const b = tb * TILE + j;
        if (b >= n) break;
        if (b < a) continue;
        const at = 2 * (i * TILE + j);
        g[a * n + b]! += results[at]! + results[at + 1]!;
      }
    }
  }
}
