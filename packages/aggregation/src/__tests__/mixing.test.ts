import { aggregate } from '../aggregate';
import { InvalidRuleError } from '../errors';
import { nearestNeighbours } from '../mixing';
import { parseRule, type Rule } from '../rule';
import { bytes, distance, gaussian, rng, updatesOf } from './helpers';

describe('nearest-neighbour mixing', () => {
  it('ranks neighbours by distance, then by position, each list including the update itself', () => {
    const rows = [[0], [1], [2], [10], [1]].map((r) => Float32Array.from(r));
    expect(nearestNeighbours(rows, 3)).toEqual([
      [0, 1, 4],
      [0, 1, 4],
      [1, 2, 4],
      [1, 2, 3],
      [0, 1, 4],
    ]);
  });

  it('mixes each update with its n − f nearest before the rule runs (hand-computed)', () => {
    // f = 1, k = 3: u00..u02 each mix to mean(0, 1, 2) = 1; u03 = 10 mixes to mean(1, 2, 10) = 13/3.
    // The trimmed mean (one per side) of [1, 1, 1, 13/3] is 1; without mixing it is mean(1, 2) = 1.5.
    const updates = updatesOf([[0], [1], [2], [10]]);
    const plain = aggregate({ name: 'trimmed-mean', f: 1, beta: 0.25 }, updates);
    const mixed = aggregate({ name: 'trimmed-mean', f: 1, beta: 0.25, mixing: 'nnm' }, updates);
    expect(Array.from(plain.aggregate)).toEqual([1.5]);
    expect(Array.from(mixed.aggregate)).toEqual([1]);
    expect(mixed.decisions.map((d) => d.id)).toEqual(['u00', 'u01', 'u02', 'u03']);
  });

  it('gives the same bytes whatever order the updates arrive in', () => {
    const random = rng(7);
    const updates = Array.from({ length: 9 }, (_, i) => ({
      id: `x${i}`,
      values: Float32Array.from({ length: 300 }, () => gaussian(random) * (i < 2 ? -20 : 1)),
    }));
    const rule: Rule = { name: 'median', f: 2, mixing: 'nnm' };
    const forward = aggregate(rule, updates);
    const backward = aggregate(rule, [...updates].reverse());
    expect(bytes(backward.aggregate)).toEqual(bytes(forward.aggregate));
  });

  it('keeps trimmed mean within the honest radius under 30% sign-flipped updates', () => {
    for (const seed of [1, 2, 3]) {
      const random = rng(seed);
      const truth = Float64Array.from({ length: 64 }, () => 1 + random());
      const honest = Array.from({ length: 14 }, () => Float32Array.from(truth, (t) => t + 0.1 * gaussian(random)));
      const attackers = Array.from({ length: 6 }, () => Float32Array.from(truth, (t) => -4 * t));
      const updates = [...honest, ...attackers].map((values, i) => ({ id: `${Math.floor(random() * 1e9)}-${i}`, values }));
      const mean = new Float64Array(64);
      for (const x of honest) for (let j = 0; j < 64; j++) mean[j]! += x[j]! / honest.length;
      const radius = Math.max(...honest.map((x) => distance(x, mean)));
      const result = aggregate({ name: 'trimmed-mean', f: 6, beta: 0.3, mixing: 'nnm' }, updates);
      expect(distance(result.aggregate, mean)).toBeLessThanOrEqual(radius);
    }
  });

  it('reads mixing from a chain parameter map (1 / 0) and refuses anything else, naming the field', () => {
    expect(parseRule({ name: 'median', f: 1, mixing: 1 })).toMatchObject({ mixing: 'nnm' });
    expect(parseRule({ name: 'median', f: 1, mixing: 0 })).not.toHaveProperty('mixing');
    expect(() => parseRule({ name: 'median', f: 1, mixing: 2 })).toThrow(InvalidRuleError);
    expect(() => parseRule({ name: 'median', f: 1, mixing: 'bucketing' })).toThrow(/mixing/);
  });
});
