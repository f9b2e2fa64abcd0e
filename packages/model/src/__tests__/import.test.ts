import {
  attr,
  buildModel,
  encodeModel,
  exportModel,
  GraphBuilder,
  importModel,
  loadMnist,
  subset,
  tensorView,
  trainLocal,
  UnsupportedOpError,
} from '../index';

const builtin = buildModel('mlp', { seed: 5 });
const { train } = loadMnist();
const shard = subset(train, Array.from({ length: 640 }, (_, i) => i));

/** The 2NN written by hand with the builder: MatMul + Add instead of Gemm, [in, out] weights, a Softmax head. */
function handWrittenMlp(): Uint8Array {
  const b = new GraphBuilder('hand_mlp', 'h');
  b.input('pixels', 'float32', ['batch', 784]);
  let h = 'pixels';
  for (const [i, layer] of ['fc1', 'fc2', 'fc3'].entries()) {
    const entry = builtin.manifest.entries.find((e) => e.name === `${layer}.weight`);
    const bias = builtin.manifest.entries.find((e) => e.name === `${layer}.bias`);
    if (entry === undefined || bias === undefined) throw new Error(layer);
    const [out = 0, inn = 0] = entry.shape;
    const w = tensorView(builtin.initialParams, entry);
    const transposed = new Float32Array(w.length);
    for (let r = 0; r < out; r++) for (let c = 0; c < inn; c++) transposed[c * out + r] = w[r * inn + c] ?? 0;
    b.initializer({ name: `W${i}`, type: 'float32', dims: [inn, out], data: transposed });
    b.initializer({ name: `B${i}`, type: 'float32', dims: [out], data: tensorView(builtin.initialParams, bias).slice() });
    h = b.op('Add', [b.op('MatMul', [h, `W${i}`]), `B${i}`]);
    if (i < 2) h = b.op('Relu', [h]);
  }
  b.op('Softmax', [h], { axis: attr.int(1) }, 'probabilities');
  b.output('probabilities', 'float32', ['batch', 10]);
  return encodeModel(b.model());
}

describe('importModel', () => {
  it('a hand-written ONNX mlp trains to the same loss curve as the built-in definition', async () => {
    const imported = importModel(handWrittenMlp());
    expect(imported.manifest.size).toBe(builtin.manifest.size);
    expect(imported.definition.classes).toBe(10);
    const options = { epochs: 2, batchSize: 32, lr: 0.05, momentum: 0.9, seed: 9 };
    const a = await trainLocal(builtin, builtin.initialParams, shard, options);
    const b = await trainLocal(imported, imported.initialParams, shard, options);
    expect(b.losses).toHaveLength(a.losses.length);
    expect(a.losses[a.losses.length - 1]).toBeLessThan((a.losses[0] ?? 0) * 0.5);
    a.losses.forEach((loss, i) => expect(b.losses[i]).toBeCloseTo(loss, 3));
  });

  it('exportModel then importModel reproduces the cnn exactly', async () => {
    const cnn = buildModel('cnn', { seed: 2 });
    const back = importModel(exportModel(cnn, cnn.initialParams));
    expect(back.manifest).toEqual(cnn.manifest);
    expect(Array.from(back.initialParams.subarray(0, 1000))).toEqual(Array.from(cnn.initialParams.subarray(0, 1000)));
    const small = subset(train, Array.from({ length: 32 }, (_, i) => i));
    const options = { epochs: 1, batchSize: 16, lr: 0.01, seed: 1 };
    const x = await trainLocal(cnn, cnn.initialParams, small, options);
    const y = await trainLocal(back, back.initialParams, small, options);
    expect(y.losses).toEqual(x.losses);
  });

  it('names the op and the node of an unsupported operation', () => {
    const b = new GraphBuilder('bad', 'b');
    b.input('x', 'float32', ['N', 4]);
    b.initializer({ name: 'w', type: 'float32', dims: [4, 3], data: new Float32Array(12) });
    const h = b.op('MatMul', ['x', 'w']);
    b.push({ op: 'Softsign', name: 'activation_7', inputs: [h], outputs: ['y'], attributes: {} });
    b.output('y', 'float32', ['N', 3]);
    const attempt = (): unknown => importModel(encodeModel(b.model()));
    expect(attempt).toThrow(UnsupportedOpError);
    expect(attempt).toThrow(/Softsign.*activation_7/);
  });
});
