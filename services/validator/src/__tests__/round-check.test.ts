import { decodeUpdateBlob } from '../round-check';

describe('round checks', () => {
  it('decodes a float32 update behind its header and refuses other encodings', () => {
    const values = Float32Array.from([1.5, -2, 0.25]);
    const bytes = new Uint8Array(16 + 12);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, 0x3155434c, true);
    view.setUint8(4, 1);
    view.setUint32(8, 3, true);
    view.setUint32(12, 1, true);
    bytes.set(new Uint8Array(values.buffer), 16);
    expect(Array.from(decodeUpdateBlob(bytes, 'float32'))).toEqual([1.5, -2, 0.25]);
    expect(() => decodeUpdateBlob(bytes, 'int8')).toThrow(/int8/);
    expect(() => decodeUpdateBlob(bytes.subarray(0, 20), 'float32')).toThrow(/does not hold/);
  });
});
