import { buildModel, evaluate, loadMnist, openSession, subset, trainLocal, forwardGraph } from '../index';

describe('execution providers', () => {
  it('a CUDA request falls back to CPU with a clear warning where CUDA is unavailable', async () => {
    const warnings: string[] = [];
    const model = buildModel('mlp', { seed: 1 });
    const open = await openSession(forwardGraph(model.definition), {
      executionProviders: ['cuda', 'cpu'],
      onWarning: (m) => warnings.push(m),
    });
    if (open.provider === 'cuda') {
      expect(warnings).toEqual([]);
    } else {
      expect(open.provider).toBe('cpu');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/CUDA execution provider requested but unavailable.*falling back to CPU/);
    }
  });

  it('trainLocal reports the provider it ran on and still trains', async () => {
    const model = buildModel('mlp', { seed: 1 });
    const { train } = loadMnist();
    const shard = subset(train, Array.from({ length: 256 }, (_, i) => i));
    const result = await trainLocal(model, model.initialParams, shard, {
      epochs: 3,
      batchSize: 32,
      lr: 0.05,
      executionProviders: ['cuda'],
      onWarning: () => undefined,
    });
    expect(['cuda', 'cpu']).toContain(result.provider);
    const before = await evaluate(model, model.initialParams, shard);
    const after = await evaluate(model, result.params, shard);
    expect(after.loss).toBeLessThan(before.loss);
  });

  it('a session limited to one thread per operator trains to the same loss curve as the default pool', async () => {
    const model = buildModel('mlp', { seed: 1 });
    const { train } = loadMnist();
    const shard = subset(train, Array.from({ length: 256 }, (_, i) => i));
    const options = { epochs: 2, batchSize: 32, lr: 0.05, seed: 4 };
    const pooled = await trainLocal(model, model.initialParams, shard, options);
    const single = await trainLocal(model, model.initialParams, shard, { ...options, threads: 1 });
    expect(single.losses).toHaveLength(pooled.losses.length);
    pooled.losses.forEach((loss, i) => expect(single.losses[i]).toBeCloseTo(loss, 4));
    const before = await evaluate(model, model.initialParams, shard, { threads: 1 });
    expect((await evaluate(model, single.params, shard, { threads: 1 })).loss).toBeLessThan(before.loss);
  });
});
