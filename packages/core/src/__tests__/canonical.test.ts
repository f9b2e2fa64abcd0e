import fc from 'fast-check';

import { referenceEncoding } from '../../../../test/support/canonical-reference';
import { decodeCanonical, encodeCanonical, type Canonical } from '../canonical';
import { CanonicalDecodingError, CanonicalEncodingError } from '../errors';
import { canonicalValue } from './arbitraries';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('canonical encoding', () => {
  it('pins the bytes of a small statement', () => {
    // map(2){ "a": uint 1, "b": text "x" }
    expect(hex(encodeCanonical({ b: 'x', a: 1 }))).toBe('0902' + '070161' + '0301' + '070162' + '070178');
  });

  it('encodes integers the same whether number or bigint', () => {
    expect(encodeCanonical(5)).toEqual(encodeCanonical(5n));
    expect(encodeCanonical(-300)).toEqual(encodeCanonical(-300n));
    expect(decodeCanonical(encodeCanonical(2n ** 70n))).toBe(2n ** 70n);
  });

  it('ignores key insertion order and absent (undefined) entries', () => {
    expect(encodeCanonical({ x: 1, y: [true, null], z: undefined })).toEqual(encodeCanonical({ y: [true, null], x: 1 }));
  });

  it('sorts keys by UTF-8 bytes, not UTF-16 units', () => {
    // U+FF5E sorts after U+1F600 in UTF-16 code units but before it in UTF-8.
    const decoded = decodeCanonical(encodeCanonical({ '\u{1F600}': 1, '\uFF5E': 2 })) as Record<string, number>;
    expect(Object.keys(decoded)).toEqual(['\uFF5E', '\u{1F600}']);
  });

  it('writes the bytes the grammar gives, for any value', () => {
    fc.assert(
      fc.property(canonicalValue, (value) => {
        expect(hex(encodeCanonical(value))).toBe(hex(referenceEncoding(value)));
      }),
      { numRuns: 500 },
    );
    // Mixed ASCII and non-ASCII keys, text of 127 and 128 units, and a value reusing the encoder's buffer.
    const mixed = { zeta: 'é', 'é': 1, a: 'x'.repeat(127), b: 'y'.repeat(128), c: new Uint8Array(5000) };
    expect(hex(encodeCanonical(mixed))).toBe(hex(referenceEncoding(mixed)));
    expect(hex(encodeCanonical({ b: 'x', a: 1 }))).toBe(hex(referenceEncoding({ b: 'x', a: 1 })));
  });

  it('round-trips any value', () => {
    fc.assert(
      fc.property(canonicalValue, (value) => {
        const bytes = encodeCanonical(value);
        expect(encodeCanonical(decodeCanonical(bytes))).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it.each<[string, Canonical]>([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['an unsafe integer', 2 ** 60],
    ['a lone surrogate', '\uD800'],
    ['a Float32Array', new Float32Array(2) as unknown as Canonical],
    ['a Date', new Date(0) as unknown as Canonical],
  ])('refuses %s', (_name, value) => {
    expect(() => encodeCanonical({ field: value })).toThrow(CanonicalEncodingError);
  });

  it('names the path of the offending value', () => {
    expect(() => encodeCanonical({ outer: { list: [1, Number.NaN] } })).toThrow(/outer\.list\[1\]/);
    expect(() => encodeCanonical([{ a: [[{ b: Number.NaN }]] }])).toThrow(/encode \[0\]\.a\[0\]\[0\]\.b canonically/);
    expect(() => encodeCanonical({ outer: { '\uDC00': 1 } })).toThrow(/outer\.\uDC00.*lone UTF-16 surrogate/);
    expect(() => encodeCanonical({ '[x': { y: Number.NaN } })).toThrow(/encode \[x\.y canonically/);
  });

  it.each([
    ['unsorted keys', '0902' + '070162' + '0301' + '070161' + '0301'],
    ['a duplicate key', '0902' + '070161' + '0301' + '070161' + '0301'],
    ['a non-minimal varint', '038000'],
    ['trailing bytes', '0000'],
    ['a truncated string', '070561'],
    ['an integer written as a float', '05' + '3ff0000000000000'],
    ['invalid UTF-8', '0701ff'],
    ['an unknown tag', '0a'],
  ])('refuses %s when decoding', (_name, bytes) => {
    expect(() => decodeCanonical(Buffer.from(bytes, 'hex'))).toThrow(CanonicalDecodingError);
  });
});
