import { buildModel, evaluate, loadMnist, trainLocal, type Classifier } from '../index';

// Centralised training through the train-step graph on the fixed 8,000/2,000 MNIST split.
// Cosine-decayed learning rate, momentum 0.9, random ±1 pixel shifts.
async function train(model: Classifier, epochs: number, batchSize: number, lr0: number): Promise<{ accuracy: number; losses: number[] }> {
  const { train: data, test } = loadMnist();
  let params = model.initialParams;
  const losses: number[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    const lr = lr0 * 0.5 * (1 + Math.cos((Math.PI * epoch) / epochs));
    const result = await trainLocal(model, params, data, { epochs: 1, batchSize, lr, momentum: 0.9, seed: epoch, maxShift: 1 });
    params = result.params;
    losses.push(result.losses.reduce((a, b) => a + b, 0) / result.losses.length);
  }
  const { accuracy } = await evaluate(model, params, test);
  return { accuracy, losses };
}

describe('centralised training on MNIST', () => {
  it('mlp reaches at least 97% test accuracy (10 epochs, batch 64, about 2 s)', async () => {
    const { accuracy, losses } = await train(buildModel('mlp', { seed: 1 }), 10, 64, 0.1);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] ?? 0);
    expect(accuracy).toBeGreaterThanOrEqual(0.97);
  });

  it('cnn full-accuracy run reaches at least 98% test accuracy (4 epochs, batch 64, about 25 s on 2 cores)', async () => {
    const { accuracy, losses } = await train(buildModel('cnn', { seed: 1 }), 4, 64, 0.05);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] ?? 0);
    expect(accuracy).toBeGreaterThanOrEqual(0.98);
  }, 180_000);
});
