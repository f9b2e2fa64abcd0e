/**
 * The learnchain canonical encoding (packages/core/src/canonical.ts) written
 * out plainly from its grammar, with no caches or fast paths: what the
 * encoder's tests hold it to, and the baseline of its benchmark.
 */
import type { Canonical } from '../../packages/core/src/canonical';

export function referenceEncoding(value: Canonical): Buffer {
  const varint = (n: bigint): Buffer => {
    const out: number[] = [];
    for (; n >= 0x80n; n >>= 7n) out.push(Number(n & 0x7fn) | 0x80);
    out.push(Number(n));
    return Buffer.from(out);
  };
  const tagged = (tag: number, ...parts: Buffer[]): Buffer => Buffer.concat([Buffer.from([tag]), ...parts]);
  const text = (t: string): Buffer => tagged(7, varint(BigInt(Buffer.byteLength(t))), Buffer.from(t, 'utf8'));
  if (value === null) return tagged(0);
  if (typeof value === 'boolean') return tagged(value ? 2 : 1);
  if (typeof value === 'string') return text(value);
  if (typeof value === 'number' && !Number.isInteger(value)) {
    const f = Buffer.alloc(8);
    f.writeDoubleBE(value);
    return tagged(5, f);
  }
  if (typeof value === 'number' || typeof value === 'bigint') {
    const n = BigInt(value);
    return n >= 0n ? tagged(3, varint(n)) : tagged(4, varint(-n - 1n));
  }
  if (value instanceof Uint8Array) return tagged(6, varint(BigInt(value.length)), Buffer.from(value));
  if (Array.isArray(value)) return tagged(8, varint(BigInt(value.length)), ...value.map(referenceEncoding));
  const map = value as Record<string, Canonical | undefined>;
  const keys = Object.keys(map)
    .filter((k) => map[k] !== undefined)
    .sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
  return tagged(9, varint(BigInt(keys.length)), ...keys.flatMap((k) => [text(k), referenceEncoding(map[k] as Canonical)]));
}
