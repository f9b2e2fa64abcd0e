import fc from 'fast-check';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { encodeCanonical, type Canonical } from '../canonical';
import { equalBytes, toHex } from '../bytes';
import { InvalidKeyError } from '../errors';
import { Identity, addressOf, isPublicKey, verifyBytes } from '../identity';
import { signStatement, verifyStatement } from '../signing';
import { canonicalValue } from './arbitraries';

const alice = Identity.generate();
const bob = Identity.generate();

/** Every way to change one leaf or key of a value, each giving a different value. */
function mutations(value: Canonical): Canonical[] {
  if (value === null || typeof value !== 'object') {
    return [value === null ? 0 : null, typeof value === 'string' ? `${value}!` : 'changed'];
  }
  if (value instanceof Uint8Array) {
    const flipped = new Uint8Array(value);
    if (flipped.length > 0) flipped[0] = (flipped[0] as number) ^ 1;
    return [flipped.length > 0 ? flipped : new Uint8Array([0]), 'bytes→text'];
  }
  if (Array.isArray(value)) {
    const list = value as readonly Canonical[];
    return [
      [...list, null],
      ...list.flatMap((item, i) => mutations(item).map((m) => list.map((x, j) => (i === j ? m : x)))),
    ];
  }
  const map = value as Record<string, Canonical>;
  const keys = Object.keys(map).filter((k) => map[k] !== undefined);
  return [
    { ...map, 'extra-field': 1 },
    ...keys.map((k) => ({ ...map, [k]: undefined, [`${k}_renamed`]: map[k] as Canonical })),
    ...keys.flatMap((k) => mutations(map[k] as Canonical).map((m) => ({ ...map, [k]: m }))),
  ];
}

describe('signed statements', () => {
  const update = {
    chainId: 'learnchain-devnet',
    jobId: 'job-1',
    round: 3,
    baseModelHash: new Uint8Array(32).fill(7),
    updateHash: new Uint8Array(32).fill(9),
  };

  it('verify what was signed, by the signer, in its domain', () => {
    const signature = signStatement(alice, 'update', update);
    expect(verifyStatement(alice.publicKey, 'update', update, signature)).toBe(true);
    expect(verifyStatement(bob.publicKey, 'update', update, signature)).toBe(false);
    expect(verifyStatement(alice.publicKey, 'vote', update, signature)).toBe(false);
  });

  it('never verify when any field of the update statement differs', () => {
    const signature = signStatement(alice, 'update', update);
    for (const changed of mutations(update)) {
      expect(verifyStatement(alice.publicKey, 'update', changed, signature)).toBe(false);
    }
  });

  it('never verify over another message, for random messages and single-field changes', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 8 }), canonicalValue, { minKeys: 1, maxKeys: 5 }), (message) => {
        const signature = signStatement(alice, 'tx', message);
        expect(verifyStatement(alice.publicKey, 'tx', message, signature)).toBe(true);
        for (const changed of mutations(message)) {
          if (equalBytes(encodeCanonical(changed), encodeCanonical(message))) continue;
          expect(verifyStatement(alice.publicKey, 'tx', changed, signature)).toBe(false);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('never verify over an unrelated random message', () => {
    fc.assert(
      fc.property(canonicalValue, canonicalValue, (a, b) => {
        fc.pre(!equalBytes(encodeCanonical(a), encodeCanonical(b)));
        expect(verifyStatement(alice.publicKey, 'tx', b, signStatement(alice, 'tx', a))).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('reject malformed keys and signatures without throwing', () => {
    const signature = signStatement(alice, 'update', update);
    expect(verifyStatement(new Uint8Array(31), 'update', update, signature)).toBe(false);
    expect(verifyStatement(alice.publicKey, 'update', update, signature.subarray(1))).toBe(false);
    expect(verifyStatement(alice.publicKey, 'update', { x: Number.NaN }, signature)).toBe(false);
    expect(verifyBytes(new Uint8Array(32).fill(255), new Uint8Array(1), signature)).toBe(false);
  });
});

describe('identities', () => {
  it('derive the address from the public key', () => {
    expect(alice.address).toMatch(/^[0-9a-f]{40}$/);
    expect(alice.address).toBe(addressOf(alice.publicKey));
    expect(alice.address).not.toBe(bob.address);
    expect(isPublicKey(alice.publicKey)).toBe(true);
  });

  it('survive a key file round trip', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'learnchain-key-')), 'node.key.json');
    alice.writeKeyFile(path);
    const loaded = Identity.fromFile(path);
    expect(toHex(loaded.publicKey)).toBe(toHex(alice.publicKey));
    expect(verifyBytes(alice.publicKey, new Uint8Array([1]), loaded.signBytes(new Uint8Array([1])))).toBe(true);
  });

  it('load from hex or base64 seeds, and refuse anything else', () => {
    const seed = alice.toKeyFile().privateKey;
    expect(Identity.fromString(seed).address).toBe(alice.address);
    expect(Identity.fromString(Buffer.from(seed, 'hex').toString('base64')).address).toBe(alice.address);
    expect(() => Identity.fromString('abc', 'LEARNCHAIN_NODE_KEY')).toThrow(InvalidKeyError);
    expect(() => Identity.fromString('abc', 'LEARNCHAIN_NODE_KEY')).toThrow(/LEARNCHAIN_NODE_KEY/);
  });
});
