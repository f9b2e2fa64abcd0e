/**
 * Local training and evaluation: every step is one onnxruntime run of the
 * derived training-step graph (forward, backward and update together).
 */
import type * as ort from 'onnxruntime-node';
import type { Dataset } from '../data/dataset';
import { InvalidArgumentError } from '../errors';
import { evaluationGraph, IO, trainingStepGraph, type StepVariant } from '../graph/derive';
import type { Classifier } from '../models/classifier';
import { checkSize, tensorView } from '../params/manifest';
import { Random } from '../random';
import { floatTensor, int64Tensor, openSession, outputData, type OpenSession, type SessionConfig } from './session';

/** Options for trainLocal. */
export interface TrainOptions extends SessionConfig {
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  /** Heavy-ball momentum (0 or absent: plain SGD). */
  readonly momentum?: number;
  /** FedProx μ: adds μ/2·‖w − w_start‖² to the loss (0 or absent: none). */
  readonly proximalMu?: number;
  /** Seed of the per-epoch shuffles and augmentation; default 0. */
  readonly seed?: number;
  /** Random translation of each training image by up to this many pixels in x and y (zero fill); default 0. */
  readonly maxShift?: number;
}

/** What trainLocal returns. */
export interface TrainResult {
  readonly params: Float32Array;
  /** The mean batch loss of every step, in order. */
  readonly losses: number[];
  /** The execution provider that ran the steps. */
  readonly provider: OpenSession['provider'];
}

/** What evaluate returns. */
export interface Evaluation {
  readonly loss: number;
  readonly accuracy: number;
}

const sessions = new WeakMap<Classifier, Map<string, Promise<OpenSession>>>();

function cachedSession(model: Classifier, key: string, config: SessionConfig, build: () => Parameters<typeof openSession>[0]): Promise<OpenSession> {
  let byKey = sessions.get(model);
  if (byKey === undefined) {
    byKey = new Map();
    sessions.set(model, byKey);
  }
  const fullKey = `${key}|${(config.executionProviders ?? ['cpu']).join(',')}|${config.threads ?? 0}`;
  let open = byKey.get(fullKey);
  if (open === undefined) {
    open = openSession(build(), config);
    open.catch(() => byKey.delete(fullKey));
    byKey.set(fullKey, open);
  }
  return open;
}

/** Copies `source` (channels × h × w) into `target` translated by (dy, dx), filling with zeros. */
function shiftInto(source: Float32Array, target: Float32Array, shape: readonly number[], dy: number, dx: number): void {
  const w = shape[shape.length - 1] ?? 1;
  const h = shape[shape.length - 2] ?? 1;
  const planes = source.length / (h * w);
  target.fill(0);
  for (let p = 0; p < planes; p++) {
    for (let y = Math.max(0, dy); y < Math.min(h, h + dy); y++) {
      const from = p * h * w + (y - dy) * w;
      const to = p * h * w + y * w;
      const x0 = Math.max(0, dx);
      const x1 = Math.min(w, w + dx);
      target.set(source.subarray(from + x0 - dx, from + x1 - dx), to + x0);
    }
  }
}

/** Copies the samples at order[start..start+n) into batch buffers, translated when maxShift > 0. */
function fillBatch(
  data: Dataset,
  order: Uint32Array,
  start: number,
  batch: { images: Float32Array; labels: BigInt64Array },
  maxShift: number,
  rng: Random,
): void {
  const { images, labels } = batch;
  const size = images.length / labels.length;
  for (let i = 0; i < labels.length; i++) {
    const j = order[start + i] ?? 0;
    const source = data.images.subarray(j * size, (j + 1) * size);
    const target = images.subarray(i * size, (i + 1) * size);
    if (maxShift > 0) {
      const dy = rng.int(2 * maxShift + 1) - maxShift;
      const dx = rng.int(2 * maxShift + 1) - maxShift;
      shiftInto(source, target, data.sampleShape, dy, dx);
    } else {
      target.set(source);
    }
    labels[i] = BigInt(data.labels[j] ?? 0);
  }
}

function checkDataset(model: Classifier, data: Dataset): void {
  const want = model.definition.input.shape.reduce((a, b) => a * b, 1);
  if (data.images.length !== data.count * want) {
    throw new InvalidArgumentError('dataset', `${data.count} samples of ${want} values expected, found ${data.images.length} values`);
  }
}

/**
 * Trains a copy of `params` on a shard for whole epochs of shuffled
 * mini-batches (the last batch of an epoch may be smaller) and returns the
 * new parameters with the loss of every step.
 */
export async function trainLocal(model: Classifier, params: Float32Array, shard: Dataset, options: TrainOptions): Promise<TrainResult> {
  checkSize(model.manifest, params);
  checkDataset(model, shard);
  const { epochs, batchSize, lr } = options;
  if (!Number.isInteger(epochs) || epochs < 0) throw new InvalidArgumentError('epochs', 'must be a non-negative integer');
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError('batchSize', 'must be a positive integer');
  const momentum = options.momentum ?? 0;
  const mu = options.proximalMu ?? 0;
  const variant: StepVariant = { momentum: momentum !== 0, proximal: mu !== 0 };
  const key = `step:${variant.momentum ? 'm' : ''}${variant.proximal ? 'p' : ''}`;
  const { session, provider } = await cachedSession(model, key, options, () => trainingStepGraph(model.definition, variant));

  const entries = model.manifest.entries;
  const feeds: Record<string, ort.Tensor> = { [IO.lr]: floatTensor(Float32Array.of(lr), []) };
  if (variant.momentum) feeds[IO.momentum] = floatTensor(Float32Array.of(momentum), []);
  if (variant.proximal) feeds[IO.mu] = floatTensor(Float32Array.of(mu), []);
  for (const e of entries) {
    feeds[e.name] = floatTensor(tensorView(params, e).slice(), e.shape);
    if (variant.momentum) feeds[IO.velocity(e.name)] = floatTensor(new Float32Array(e.size), e.shape);
    if (variant.proximal) feeds[IO.global(e.name)] = floatTensor(tensorView(params, e).slice(), e.shape);
  }
  const sampleShape = model.definition.input.shape;
  const sampleSize = sampleShape.reduce((a, b) => a * b, 1);
  const rng = new Random(options.seed ?? 0);
  const losses: number[] = [];
  const full = { images: new Float32Array(batchSize * sampleSize), labels: new BigInt64Array(batchSize) };
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = rng.permutation(shard.count);
    for (let start = 0; start < shard.count; start += batchSize) {
      const n = Math.min(batchSize, shard.count - start);
      const batch = n === batchSize ? full : { images: new Float32Array(n * sampleSize), labels: new BigInt64Array(n) };
      fillBatch(shard, order, start, batch, options.maxShift ?? 0, rng);
      feeds[IO.input] = floatTensor(batch.images, [n, ...sampleShape]);
      feeds[IO.labels] = int64Tensor(batch.labels, [n]);
      const out = await session.run(feeds);
      for (const e of entries) {
        feeds[e.name] = floatTensor(outputData(out, IO.next(e.name)), e.shape);
        if (variant.momentum) feeds[IO.velocity(e.name)] = floatTensor(outputData(out, IO.velocityNext(e.name)), e.shape);
      }
      losses.push(outputData(out, IO.loss)[0] ?? NaN);
    }
  }
  const next = new Float32Array(model.manifest.size);
  for (const e of entries) next.set(feeds[e.name]?.data as Float32Array, e.offset);
  return { params: next, losses, provider };
}

/** Mean loss and accuracy of `params` over a whole dataset. */
export async function evaluate(
  model: Classifier,
  params: Float32Array,
  data: Dataset,
  options: SessionConfig & { readonly batchSize?: number } = {},
): Promise<Evaluation> {
  checkSize(model.manifest, params);
  checkDataset(model, data);
  if (data.count === 0) throw new InvalidArgumentError('dataset', 'is empty');
  const { session } = await cachedSession(model, 'eval', options, () => evaluationGraph(model.definition));
  const feeds: Record<string, ort.Tensor> = {};
  for (const e of model.manifest.entries) feeds[e.name] = floatTensor(tensorView(params, e), e.shape);
  const sampleShape = model.definition.input.shape;
  const sampleSize = sampleShape.reduce((a, b) => a * b, 1);
  const batchSize = options.batchSize ?? 500;
  let loss = 0;
  let correct = 0;
  for (let start = 0; start < data.count; start += batchSize) {
    const n = Math.min(batchSize, data.count - start);
    const labels = new BigInt64Array(n);
    for (let i = 0; i < n; i++) labels[i] = BigInt(data.labels[start + i] ?? 0);
    feeds[IO.input] = floatTensor(data.images.subarray(start * sampleSize, (start + n) * sampleSize), [n, ...sampleShape]);
    feeds[IO.labels] = int64Tensor(labels, [n]);
    const out = await session.run(feeds);
    loss += outputData(out, IO.lossSum)[0] ?? NaN;
    correct += outputData(out, IO.correct)[0] ?? NaN;
  }
  return { loss: loss / data.count, accuracy: correct / data.count };
}
