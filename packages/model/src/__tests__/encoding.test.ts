import { spawnSync } from 'node:child_process';

import * as entry from '../encoding';
import { buildModel, decodeUpdate, encodeUpdate, encodingOf, fromHalf, hashParameters, manifestOf, Random, toHalf, updateEncodingNamed, UpdateEncodingError } from '../index';

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

  it('names an encoding from a job by name, wire enum or its number; none named is float32', () => {
    for (const [value, named] of [['int8', 'int8'], ['DTYPE_FLOAT16', 'float16'], [3, 'int8'], ['2', 'float16'], [1, 'float32'], [undefined, 'float32'], [null, 'float32'], ['DTYPE_UNSPECIFIED', 'float32'], [0, 'float32']] as const) {
      expect(updateEncodingNamed(value)).toBe(named);
    }
    for (const value of ['bfloat16', 4, 'DTYPE_INT4', '', {}, 'constructor', 'toString']) expect(updateEncodingNamed(value)).toBeUndefined();
  });

  it('hashes differ when one value changes', () => {
    const other = delta.slice();
    other[100] = (other[100] ?? 0) + 1e-7;
    expect(hashParameters(other)).not.toBe(hashParameters(delta));
    expect(hashParameters(delta)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('the update layout and its size rule', () => {
  const { checkUpdateHeader, encodedSize, flatLayout, layoutOf, parameterBytes, parametersOf } = entry;
  const manifest = manifestOf([
    { name: 'w', shape: [3, 4] },
    { name: 'b', shape: [5] },
  ]);
  const values = Float32Array.from({ length: manifest.size }, (_, i) => Math.sin(i + 1) * (i % 3 === 0 ? 3 : 0.25));

  it.each(['float32', 'float16', 'int8'] as const)('%s: size 16 + 4P, 16 + 2P or 16 + 4T + P, and decodes within a step', (encoding) => {
    const bytes = entry.encodeUpdate(values, manifest, encoding);
    expect(bytes.byteLength).toBe(encodedSize(encoding, manifest));
    const back = entry.decodeUpdate(bytes, manifest, encoding);
    const tolerance = encoding === 'float32' ? 0 : encoding === 'float16' ? 2e-3 : 3 / 127;
    values.forEach((v, i) => expect(Math.abs((back[i] ?? NaN) - v)).toBeLessThanOrEqual(tolerance));
  });

  it('states the size rule', () => {
    expect(encodedSize('float32', flatLayout(100))).toBe(416);
    expect(encodedSize('float16', flatLayout(100))).toBe(216);
    expect(encodedSize('int8', { size: 100, entries: [{ offset: 0, size: 60 }, { offset: 60, size: 40 }] })).toBe(124);
  });

  it('refuses a header of another encoding, count or tensor count', () => {
    const bytes = entry.encodeUpdate(values, manifest, 'float16');
    expect(() => checkUpdateHeader(bytes, 'float32', manifest)).toThrow(entry.UpdateEncodingError);
    expect(() => entry.decodeUpdate(bytes, manifest, 'int8')).toThrow(/is not int8/);
    expect(() => checkUpdateHeader(bytes, 'float16', flatLayout(manifest.size))).toThrow(/tensors/);
    expect(() => checkUpdateHeader(bytes, 'float16', { ...manifest, size: 3 })).toThrow(/values/);
    const bad = bytes.slice();
    bad[0] = 0;
    expect(() => checkUpdateHeader(bad, 'float16', manifest)).toThrow(/magic/);
  });

  it('int8 needs the layout it was encoded with: a flat layout is refused', () => {
    const bytes = entry.encodeUpdate(values, manifest, 'int8');
    expect(() => entry.decodeUpdate(bytes, flatLayout(manifest.size))).toThrow(/tensors/);
  });

  it('uses the job tensors only when they cover the model exactly', () => {
    expect(layoutOf(manifest.entries, manifest.size).entries).toHaveLength(2);
    expect(layoutOf(manifest.entries, manifest.size + 1)).toEqual(flatLayout(manifest.size + 1));
    expect(layoutOf([], 7)).toEqual(flatLayout(7));
  });

  it('stores parameters as little-endian float32', () => {
    expect(Array.from(parametersOf(parameterBytes(values)))).toEqual(Array.from(values));
    expect(() => parametersOf(new Uint8Array(3))).toThrow(entry.UpdateEncodingError);
    // byte for byte what a little-endian DataView writes, specials included; read back from a view at an odd offset
    const specials = Float32Array.of(1.5, -0, 0, Infinity, -Infinity, 1e-45, -3.4028234663852886e38, 0.1);
    const reference = new Uint8Array(specials.length * 4);
    specials.forEach((v, i) => new DataView(reference.buffer).setFloat32(4 * i, v, true));
    const bytes = parameterBytes(specials);
    expect(Array.from(bytes)).toEqual(Array.from(reference));
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    expect(Array.from(parametersOf(shifted.subarray(1)))).toEqual(Array.from(specials));
    const update = encodeUpdate(specials, flatLayout(specials.length), 'float32');
    const unaligned = new Uint8Array(update.length + 3);
    unaligned.set(update, 3);
    expect(Object.is(decodeUpdate(unaligned.subarray(3), flatLayout(specials.length))[1], -0)).toBe(true);
    expect(Array.from(decodeUpdate(unaligned.subarray(3), flatLayout(specials.length)))).toEqual(Array.from(specials));
    expect(Array.from(update.subarray(16))).toEqual(Array.from(reference));
  });

  it('the entry loads without onnxruntime', () => {
    const script = "require('./packages/model/src/encoding.ts'); const ort = Object.keys(require.cache).filter((k) => k.includes('onnxruntime')); process.stdout.write(String(ort.length));";
    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', cwd: process.cwd() });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('0');
    const control = spawnSync(process.execPath, ['--import', 'tsx', '-e', script.replace('encoding.ts', 'index.ts')], { encoding: 'utf8', cwd: process.cwd() });
    expect(Number(control.stdout)).toBeGreaterThan(0);
  });
});
