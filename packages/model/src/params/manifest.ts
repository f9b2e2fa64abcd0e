/**
 * Parameters as one flat Float32Array, described by a manifest of named
 * tensors with shapes and offsets, identified by a SHA-256 content hash.
 */
import { createHash } from 'node:crypto';
import { ParameterSizeError } from '../errors';
import type { ParameterSpec } from '../graph/definition';

/** One tensor's place in the flat vector. */
export interface ManifestEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly size: number;
}

/** The layout of a flat parameter vector. */
export interface Manifest {
  readonly entries: readonly ManifestEntry[];
  /** Total number of float32 values. */
  readonly size: number;
}

/** Lays out parameters one after another in the given order. */
export function manifestOf(parameters: readonly ParameterSpec[]): Manifest {
  let offset = 0;
  const entries = parameters.map((p) => {
    const size = p.shape.reduce((a, b) => a * b, 1);
    const entry = { name: p.name, shape: [...p.shape], offset, size };
    offset += size;
    return entry;
  });
  return { entries, size: offset };
}

/** Throws ParameterSizeError unless the vector fits the manifest. */
export function checkSize(manifest: Manifest, values: Float32Array): void {
  if (values.length !== manifest.size) throw new ParameterSizeError(manifest.size, values.length);
}

/** A view of one tensor inside the flat vector (no copy). */
export function tensorView(values: Float32Array, entry: ManifestEntry): Float32Array {
  return values.subarray(entry.offset, entry.offset + entry.size);
}

/** SHA-256 (hex) of the vector's little-endian float32 bytes. */
export function hashParameters(values: Float32Array): string {
  return createHash('sha256')
    .update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength))
    .digest('hex');
}
