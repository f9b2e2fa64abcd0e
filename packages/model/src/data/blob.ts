/**
 * The blob form of a dataset, as a job commits its validation set: magic
 * "LCDS", count, classes, sample-shape rank and dims (u32 LE), float32 images,
 * u8 labels.
 */
import type { Dataset } from './dataset';

const DATASET_MAGIC = 0x4c434453; // "LCDS"

/** Encodes a dataset as a blob. */
export function encodeDataset(data: Dataset): Uint8Array {
  const header = [DATASET_MAGIC, data.count, data.classes, data.sampleShape.length, ...data.sampleShape];
  const out = new Uint8Array(header.length * 4 + data.images.byteLength + data.labels.byteLength);
  const view = new DataView(out.buffer);
  header.forEach((v, i) => view.setUint32(i * 4, v, true));
  const imagesAt = header.length * 4;
  out.set(new Uint8Array(data.images.buffer, data.images.byteOffset, data.images.byteLength), imagesAt);
  out.set(data.labels, imagesAt + data.images.byteLength);
  return out;
}

/** Decodes what `encodeDataset` wrote; throws on a malformed blob. */
export function decodeDataset(bytes: Uint8Array): Dataset {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (i: number): number => view.getUint32(i * 4, true);
  if (bytes.byteLength < 16 || u32(0) !== DATASET_MAGIC) throw new Error('not a learnchain dataset blob');
  const count = u32(1);
  const classes = u32(2);
  const rank = u32(3);
  const sampleShape = Array.from({ length: rank }, (_, i) => u32(4 + i));
  const sample = sampleShape.reduce((a, b) => a * b, 1);
  const imagesAt = (4 + rank) * 4;
  const imagesBytes = count * sample * 4;
  if (bytes.byteLength !== imagesAt + imagesBytes + count) throw new Error('dataset blob has the wrong length');
  const images = new Float32Array(bytes.slice(imagesAt, imagesAt + imagesBytes).buffer);
  const labels = bytes.slice(imagesAt + imagesBytes);
  return { images, labels, count, sampleShape, classes };
}

