// `npm run bench -- training [--seconds S] [--no-tfjs]`: train-step throughput of the built-in models on onnxruntime
// (CPU), against the same architecture trained with @tensorflow/tfjs on its plain CPU backend, and against a roofline
// of three forward passes per step. Prints figures, then one JSON line. `--no-tfjs` leaves out the tfjs comparison
// (slow on a loaded machine) when only the onnxruntime figures are wanted.
import * as tf from '@tensorflow/tfjs';
import type * as ort from 'onnxruntime-node';
import {
  buildModel,
  forwardGraph,
  IO,
  loadMnist,
  openSession,
  tensorView,
  trainingStepGraph,
  type Classifier,
} from '@learnchain/model';
import { Tensor } from 'onnxruntime-node';

const secondsArg = process.argv.indexOf('--seconds');
const SECONDS = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 2;
const WITH_TFJS = !process.argv.includes('--no-tfjs');
/** onnxruntime's step and forward times are taken in this many alternating slices of SECONDS / SLICES each. */
const SLICES = 5;
const LR = 0.01;
const MOMENTUM = 0.9;

/** Mean seconds per run after warm-up; at least `minimum` runs and `seconds` of wall time (one run suffices when a run is that slow). */
async function timed(run: () => Promise<unknown>, warmup = 2, minimum = 3, seconds = SECONDS): Promise<number> {
  for (let i = 0; i < warmup; i++) await run();
  let steps = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (steps < minimum || elapsed < seconds) {
    await run();
    steps += 1;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  }
  return elapsed / steps;
}

function batchOf(model: Classifier, batch: number): { images: Float32Array; labels: Uint8Array } {
  const { train } = loadMnist();
  return { images: train.images.slice(0, batch * 784), labels: train.labels.slice(0, batch) };
}

async function onnxTimes(model: Classifier, batch: number): Promise<{ step: number; forward: number }> {
  const { images, labels } = batchOf(model, batch);
  const shape = [batch, ...model.definition.input.shape];
  const step = await openSession(trainingStepGraph(model.definition, { momentum: true, proximal: false }));
  const feeds: Record<string, ort.Tensor> = {
    [IO.input]: new Tensor('float32', images, shape),
    [IO.labels]: new Tensor('int64', BigInt64Array.from(labels, (l) => BigInt(l)), [batch]),
    [IO.lr]: new Tensor('float32', Float32Array.of(LR), []),
    [IO.momentum]: new Tensor('float32', Float32Array.of(MOMENTUM), []),
  };
  for (const e of model.manifest.entries) {
    feeds[e.name] = new Tensor('float32', tensorView(model.initialParams, e).slice(), e.shape);
    feeds[IO.velocity(e.name)] = new Tensor('float32', new Float32Array(e.size), e.shape);
  }
  const stepRun = async (): Promise<void> => {
    const out = await step.session.run(feeds);
    for (const e of model.manifest.entries) {
      feeds[e.name] = out[IO.next(e.name)] as ort.Tensor;
      feeds[IO.velocity(e.name)] = out[IO.velocityNext(e.name)] as ort.Tensor;
    }
  };
  const forward = await openSession(forwardGraph(model.definition));
  const forwardRun = (): Promise<unknown> => {
    const forwardFeeds: Record<string, ort.Tensor> = { [IO.input]: feeds[IO.input] as ort.Tensor };
    for (const e of model.manifest.entries) forwardFeeds[e.name] = feeds[e.name] as ort.Tensor;
    return forward.session.run(forwardFeeds);
  };
  // Step and forward timed in alternating slices, so that the machine's load falls on both alike;
  // the median slice of each is kept.
  const steps: number[] = [];
  const forwards: number[] = [];
  for (let slice = 0; slice < SLICES; slice++) {
    steps.push(await timed(stepRun, slice === 0 ? 2 : 0, 1, SECONDS / SLICES));
    forwards.push(await timed(forwardRun, slice === 0 ? 2 : 0, 1, SECONDS / SLICES));
  }
  await step.session.release();
  await forward.session.release();
  return { step: median(steps), forward: median(forwards) };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function tfModel(name: string): tf.Sequential {
  const m = tf.sequential();
  if (name === 'mlp') {
    m.add(tf.layers.dense({ inputShape: [784], units: 200, activation: 'relu' }));
    m.add(tf.layers.dense({ units: 200, activation: 'relu' }));
    m.add(tf.layers.dense({ units: 10 }));
  } else {
    m.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 5, padding: 'same', activation: 'relu' }));
    m.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
    m.add(tf.layers.conv2d({ filters: 64, kernelSize: 5, padding: 'same', activation: 'relu' }));
    m.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
    m.add(tf.layers.flatten());
    m.add(tf.layers.dense({ units: 512, activation: 'relu' }));
    m.add(tf.layers.dense({ units: 10 }));
  }
  return m;
}

async function tfjsStep(model: Classifier, batch: number): Promise<number> {
  const { images, labels } = batchOf(model, batch);
  const m = tfModel(model.name);
  const x = model.name === 'mlp' ? tf.tensor2d(images, [batch, 784]) : tf.tensor4d(images, [batch, 28, 28, 1]);
  const y = tf.oneHot(tf.tensor1d(Array.from(labels), 'int32'), 10);
  const optimizer = tf.train.momentum(LR, MOMENTUM);
  const time = await timed(async () => {
    const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, m.predict(x) as tf.Tensor) as tf.Scalar, true);
    await loss?.data();
    loss?.dispose();
  }, model.name === 'cnn' ? 0 : 1, model.name === 'cnn' ? 1 : 3);
  x.dispose();
  y.dispose();
  m.dispose();
  optimizer.dispose();
  return time;
}

async function main(): Promise<void> {
  if (WITH_TFJS) await tf.setBackend('cpu');
  const samples: Record<string, number> = {};
  const ratio: Record<string, number> = {};
  const roofline: Record<string, number> = {};
  const tfjs: Record<string, number> = {};
  const forward: Record<string, number> = {};
  const stepMs: Record<string, number> = {};
  const forwardMs: Record<string, number> = {};
  for (const name of ['mlp', 'cnn']) {
    const model = buildModel(name, { seed: 1 });
    for (const batch of [64, 256]) {
      const key = `${name}_b${batch}`;
      const { step, forward: fwd } = await onnxTimes(model, batch);
      samples[key] = Math.round(batch / step);
      forward[key] = Math.round(batch / fwd);
      stepMs[key] = Number((step * 1e3).toFixed(2));
      forwardMs[key] = Number((fwd * 1e3).toFixed(2));
      roofline[key] = Number(((3 * fwd) / step).toFixed(3));
      let versus = 'tfjs-cpu skipped';
      if (WITH_TFJS) {
        const tfTime = await tfjsStep(model, batch);
        tfjs[key] = Math.round(batch / tfTime);
        ratio[key] = Number((tfTime / step).toFixed(2));
        versus = `tfjs-cpu ${tfjs[key]} samples/s -> ${ratio[key]}x`;
      }
      console.log(
        `${key}: onnxruntime ${samples[key]} samples/s (step ${stepMs[key]} ms, forward ${forwardMs[key]} ms), ` +
          `${versus}, roofline fraction ${roofline[key]}`,
      );
    }
  }
  console.log(
    JSON.stringify({
      samples_per_s: samples,
      tfjs_ratio: ratio,
      roofline_fraction: roofline,
      tfjs_samples_per_s: tfjs,
      forward_samples_per_s: forward,
      step_ms: stepMs,
      forward_ms: forwardMs,
      execution_provider: 'cpu',
      seconds_per_measurement: SECONDS,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
