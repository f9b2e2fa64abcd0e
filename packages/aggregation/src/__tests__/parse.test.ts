import { InvalidRuleError } from '../errors';
import { parseRule } from '../rule';

function reasonOf(input: unknown): { field: string; reason: string } {
  try {
    parseRule(input);
  } catch (e) {
    if (e instanceof InvalidRuleError) return { field: e.field, reason: e.reason };
    throw e;
  }
  throw new Error('parseRule accepted the input');
}

describe('parseRule', () => {
  test('fills defaults', () => {
    expect(parseRule({ name: 'geometric-median', f: 2 })).toEqual({
      name: 'geometric-median',
      f: 2,
      maxNorm: 1e8,
      maxIterations: 10,
      nu: 1e-6,
      tolerance: 1e-6,
    });
    expect(parseRule({ name: 'fedavg' })).toEqual({ name: 'fedavg', f: 0, maxNorm: 1e8 });
  });

  test('accepts every parameter of a rule', () => {
    const rule = parseRule({
      name: 'centered-clipping',
      f: 1,
      tau: 0.5,
      iterations: 2,
      start: 'zero',
      reference: [1, 2],
      normBound: { maxNorm: 3, action: 'clip' },
    });
    expect(rule).toMatchObject({ name: 'centered-clipping', tau: 0.5, iterations: 2, start: 'zero' });
    expect(rule.name === 'centered-clipping' && Array.from(rule.reference ?? [])).toEqual([1, 2]);
    expect(parseRule(JSON.parse('{"name":"multi-krum","f":1,"m":3}'))).toMatchObject({ m: 3 });
  });

  test.each([
    [null, 'rule', 'must be an object'],
    [[], 'rule', 'must be an object'],
    [{ name: 'mean' }, 'name', 'must be one of'],
    [{ name: 'median' }, 'f', 'integer'],
    [{ name: 'median', f: -1 }, 'f', 'at least 0'],
    [{ name: 'median', f: 1.5 }, 'f', 'integer'],
    [{ name: 'median', f: 1, beta: 0.1 }, 'beta', 'unknown field'],
    [{ name: 'trimmed-mean', f: 1 }, 'beta', '[0, 0.5)'],
    [{ name: 'trimmed-mean', f: 1, beta: 0.5 }, 'beta', '[0, 0.5)'],
    [{ name: 'multi-krum', f: 1, m: 0 }, 'm', 'at least 1'],
    [{ name: 'centered-clipping', f: 1 }, 'tau', 'finite number'],
    [{ name: 'centered-clipping', f: 1, tau: 1, start: 'mean' }, 'start', "'median' or 'zero'"],
    [{ name: 'centered-clipping', f: 1, tau: 1, reference: [1, 'x'] }, 'reference[1]', 'finite'],
    [{ name: 'geometric-median', f: 1, nu: 0 }, 'nu', 'greater than 0'],
    [{ name: 'geometric-median', f: 1, tolerance: -1 }, 'tolerance', '≥ 0'],
    [{ name: 'krum', f: 1, maxNorm: Infinity }, 'maxNorm', 'finite'],
    [{ name: 'krum', f: 1, normBound: { maxNorm: 1 } }, 'normBound.action', "'clip' or 'reject'"],
    [{ name: 'krum', f: 1, normBound: { maxNorm: 1, action: 'clip', x: 1 } }, 'normBound.x', 'unknown field'],
  ])('refuses %j naming %s', (input, field, reason) => {
    const got = reasonOf(input);
    expect(got.field).toBe(field);
    expect(got.reason).toContain(reason);
  });
});
