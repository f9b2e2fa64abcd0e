import { meanOfRows } from '../vector';
import { rng } from './helpers';

describe('meanOfRows', () => {
  it('adds the rows in the order given, one at a time in float64, and rounds once', () => {
    const random = rng(5);
    const d = 9000;
    // ±2^60 beside values near 1: what survives of the small ones depends on when the big ones cancel
    const pick = (): number => [2 ** 60, -(2 ** 60), random() - 0.5][Math.floor(random() * 3)]!;
    const values = Array.from({ length: 9 }, () => Float32Array.from({ length: d }, pick));
    const order = [8, 3, 0, 5, 1, 7, 2];
    const out = meanOfRows(values, order, d);
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (const r of order) s += values[r]![j]!;
      if (out[j] !== Math.fround(s / order.length)) throw new Error(`coordinate ${j}: ${out[j]} vs ${Math.fround(s / order.length)}`);
    }
    const reversed = meanOfRows(values, [...order].reverse(), d);
    expect(reversed.some((v, j) => v !== out[j])).toBe(true);
  });
});
