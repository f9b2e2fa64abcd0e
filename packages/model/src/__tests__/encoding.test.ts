import { buildModel, decodeUpdate, encodeUpdate, encodingOf, fromHalf, hashParameters, Random, toHalf, UpdateEncodingError } from '../index';

const model = buildModel('mlp', { seed: 3 });
const rng = new Random(11);
const delta = Float32Array.from({ length: model.manifest.size }, () => rng.normal() * 0.01);
delta[5] = 0;
delta[7] = -3.5e-6;

describe('update encodings', () => {
  it('float32 round-trips exactly', () => {
    const bytes = encodeUpdate(delta, model.manifest, 'float32');
    expect(encodingOf(bytes)).toBe('float32');
    const back = decodeUpdate(bytes, model.manifest);
    expect(hashParameters(back)).toBe(hashParameters(delta));
  });

  it('float16 keeps relative error within 2^-11 for normal values', () => {
    const back = decodeUpdate(encodeUpdate(delta, model.manifest, 'float16'), model.manifest);
    for (let i = 0; i < delta.length; i++) {
      const v = delta[i] ?? 0;
      const tolerance = Math.abs(v) >= 6.1e-5 ? Math.abs(v) * 2 ** -11 : 2 ** -25;
      if (Math.abs((back[i] ?? 0) - v) > tolerance) throw new Error(`value ${i}: ${v} decoded as ${back[i]}`);
    }
  });

  it('float16 conversion handles rounding, overflow and specials', () => {
    expect(fromHalf(toHalf(1))).toBe(1);
    expect(fromHalf(toHalf(65504))).toBe(65504);
    expect(fromHalf(toHalf(1e6))).toBe(Infinity);
    expect(fromHalf(toHalf(-1e6))).toBe(-Infinity);
    expect(fromHalf(toHalf(NaN))).toBeNaN();
    expect(fromHalf(toHalf(1 + 2 ** -11))).toBe(1); // tie rounds to even
    expect(fromHalf(toHalf(1 + 3 * 2 ** -11))).toBe(1 + 2 ** -9);
    expect(fromHalf(toHalf(2 ** -24))).toBe(2 ** -24);
  });

  it('int8 error is at most half a step of each tensor scale', () => {
    const bytes = encodeUpdate(delta, model.manifest, 'int8');
    expect(bytes.length).toBeLessThan(delta.length * 1.01);
    const back = decodeUpdate(bytes, model.manifest);
    for (const e of model.manifest.entries) {
      let max = 0;
      for (let i = e.offset; i < e.offset + e.size; i++) max = Math.max(max, Math.abs(delta[i] ?? 0));
      const step = max / 127;
      for (let i = e.offset; i < e.offset + e.size; i++) {
        if (Math.abs((back[i] ?? 0) - (delta[i] ?? 0)) > step / 2 + 1e-9) throw new Error(`${e.name}[${i - e.offset}] off by more than half a step`);
      }
    }
  });

  it('rejects truncated bytes and unknown tags', () => {
    const bytes = encodeUpdate(delta, model.manifest, 'float16');
    expect(() => decodeUpdate(bytes.subarray(0, bytes.length - 1), model.manifest)).toThrow(UpdateEncodingError);
    const bad = bytes.slice();
    bad[4] = 9;
    expect(() => decodeUpdate(bad, model.manifest)).toThrow(UpdateEncodingError);
  });

  it('hashes differ when one value changes', () => {
    const other = delta.slice();
    other[100] = (other[100] ?? 0) + 1e-7;
    expect(hashParameters(other)).not.toBe(hashParameters(delta));
    expect(hashParameters(delta)).toMatch(/^[0-9a-f]{64}$/);
  });
});
