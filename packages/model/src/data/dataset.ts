/**
 * Labelled image datasets as flat typed arrays, and MNIST from the `mnist`
 * package (10,000 real 28×28 digits) with a fixed, seeded 8,000/2,000 split.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InvalidArgumentError } from '../errors';
import { Random } from '../random';

/** Samples as one flat Float32Array (count × product(sampleShape)) with a class label each. */
export interface Dataset {
  readonly images: Float32Array;
  readonly labels: Uint8Array;
  readonly count: number;
  /** Shape of one sample, e.g. [1, 28, 28]. */
  readonly sampleShape: readonly number[];
  readonly classes: number;
}

/** The MNIST train/test split. */
export interface MnistSplit {
  readonly train: Dataset;
  readonly test: Dataset;
}

/** Seed of the fixed permutation behind the train/test split. */
export const MNIST_SPLIT_SEED = 20170217;
export const MNIST_TRAIN_SIZE = 8000;

const SAMPLE = 28 * 28;

/** Picks samples by index into a new dataset (copies). */
export function subset(data: Dataset, indices: ArrayLike<number>): Dataset {
  const size = data.images.length / Math.max(1, data.count);
  const images = new Float32Array(indices.length * size);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i] ?? 0;
    if (j < 0 || j >= data.count) throw new InvalidArgumentError('indices', `index ${j} outside 0..${data.count - 1}`);
    images.set(data.images.subarray(j * size, (j + 1) * size), i * size);
    labels[i] = data.labels[j] ?? 0;
  }
  return { images, labels, count: indices.length, sampleShape: data.sampleShape, classes: data.classes };
}

function readAll(): Dataset {
  const root = dirname(require.resolve('mnist/package.json'));
  const parts: Float32Array[] = [];
  const labels: number[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const parsed = JSON.parse(readFileSync(join(root, 'src', 'digits', `${digit}.json`), 'utf8')) as { data: number[] };
    const values = Float32Array.from(parsed.data);
    parts.push(values);
    for (let i = 0; i < values.length / SAMPLE; i++) labels.push(digit);
  }
  const images = new Float32Array(labels.length * SAMPLE);
  let offset = 0;
  for (const p of parts) {
    images.set(p, offset);
    offset += p.length;
  }
  return { images, labels: Uint8Array.from(labels), count: labels.length, sampleShape: [1, 28, 28], classes: 10 };
}

let cached: MnistSplit | undefined;

/**
 * The 10,000 MNIST digits of the `mnist` package, pixels in [0, 1], split by a
 * fixed seeded permutation into 8,000 training and 2,000 test samples. The
 * same split on every call and every machine.
 */
export function loadMnist(): MnistSplit {
  if (cached !== undefined) return cached;
  const all = readAll();
  const order = new Random(MNIST_SPLIT_SEED).permutation(all.count);
  cached = {
    train: subset(all, order.subarray(0, MNIST_TRAIN_SIZE)),
    test: subset(all, order.subarray(MNIST_TRAIN_SIZE)),
  };
  return cached;
}
