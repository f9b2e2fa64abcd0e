import { Identity, sha256, updateStatement, verifyStatement } from '@learnchain/core';
import { decodeUpdate } from '@learnchain/model';

import { attackDelta, flipLabels, NO_ATTACK, type Attack } from '../attacks';
import { deltaOf, signUpdate } from '../update';
import { base, job, manifest } from './fakes';

const delta = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) / 100);
const attack = (name: Attack['name'], magnitude = 10): Attack => ({ name, magnitude, seed: 5 });

describe('attacks', () => {
  it('sign-flip negates and scale multiplies the delta', () => {
    const flipped = attackDelta(delta, attack('sign-flip'), 1);
    const scaled = attackDelta(delta, attack('scale', 7), 1);
    delta.forEach((v, i) => {
      expect(flipped[i]).toBe(-v);
      expect(scaled[i]).toBeCloseTo(7 * v, 6);
    });
  });

  it('gaussian adds seeded noise of the given scale, different each round', () => {
    const a = attackDelta(delta, attack('gaussian', 0.5), 1);
    const again = attackDelta(delta, attack('gaussian', 0.5), 1);
    const next = attackDelta(delta, attack('gaussian', 0.5), 2);
    expect(Array.from(a)).toEqual(Array.from(again));
    expect(Array.from(a)).not.toEqual(Array.from(next));
    const noise = Array.from(a, (v, i) => v - (delta[i] ?? 0));
    const sd = Math.sqrt(noise.reduce((s, n) => s + n * n, 0) / noise.length);
    expect(sd).toBeGreaterThan(0.4);
    expect(sd).toBeLessThan(0.6);
  });

  it('random ignores the training and stays within its range', () => {
    const r = attackDelta(delta, attack('random', 3), 1);
    expect(r.every((v) => Math.abs(v) <= 3)).toBe(true);
    expect(Math.max(...Array.from(r, Math.abs))).toBeGreaterThan(2);
  });

  it('leaves the input untouched, and none / label-flip copy it unchanged', () => {
    const copy = delta.slice();
    attackDelta(delta, attack('sign-flip'), 1);
    expect(Array.from(delta)).toEqual(Array.from(copy));
    expect(Array.from(attackDelta(delta, NO_ATTACK, 1))).toEqual(Array.from(delta));
    expect(Array.from(attackDelta(delta, attack('label-flip'), 1))).toEqual(Array.from(delta));
  });

  it('label-flip maps every label y to classes-1-y', () => {
    const data = { images: new Float32Array(4), labels: Uint8Array.of(0, 3, 9, 5), count: 4, sampleShape: [1], classes: 10 };
    expect(Array.from(flipLabels(data).labels)).toEqual([9, 6, 0, 4]);
    expect(Array.from(data.labels)).toEqual([0, 3, 9, 5]);
  });

  it('an attacked update is still signed correctly (the robust rule, not the signature, must catch it)', () => {
    const identity = Identity.generate();
    const result = { params: base.map((v) => v + 0.25), numSamples: 10, loss: 1, micros: 1 };
    const input = { identity, chainId: 'c', nodeId: 'n', job, round: 2, baseModelHash: sha256(Uint8Array.of(1)), base, result, manifest, normal: () => 0, released: 0 };
    const honest = signUpdate({ ...input, attack: NO_ATTACK });
    const flipped = signUpdate({ ...input, attack: attack('sign-flip') });
    const h = decodeUpdate(honest.bytes, manifest);
    const f = decodeUpdate(flipped.bytes, manifest);
    expect(Array.from(f)).toEqual(Array.from(h, (v) => -v));
    expect(Array.from(h)).toEqual(Array.from(deltaOf(result.params, base)));
    const statement = updateStatement({ chainId: 'c', jobId: job.jobId, round: 2, baseModelHash: input.baseModelHash, updateHash: flipped.header.updateHash, encoding: 'float32', numSamples: 10 });
    expect(verifyStatement(identity.publicKey, 'update', statement, flipped.header.signature)).toBe(true);
  });
});
