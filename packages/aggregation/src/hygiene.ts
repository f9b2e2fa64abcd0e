import { AggregationInputError } from './errors';
import type { NormBound } from './rule';
import type { Decision, Update } from './types';

/** A valid update in canonical position, ready for a rule. */
export interface Candidate {
  readonly id: string;
  readonly values: Float32Array;
  readonly weight: number;
  readonly norm: number;
  /** Set when the norm-bound pre-filter scaled this update down; the original norm is `norm`. */
  readonly clipped: boolean;
}

interface Entry {
  readonly id: string;
  readonly values: unknown;
  readonly weight: number;
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sameEntry(a: Entry, b: Entry): boolean {
  if (a.weight !== b.weight && !(Number.isNaN(a.weight) && Number.isNaN(b.weight))) return false;
  const x = a.values;
  const y = b.values;
  if (!(x instanceof Float32Array) || !(y instanceof Float32Array) || x.length !== y.length) return x === y;
  const bx = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  const by = new Uint8Array(y.buffer, y.byteOffset, y.byteLength);
  return Buffer.compare(bx, by) === 0;
}

function reject(id: string, reason: string): Decision {
  return { id, status: 'rejected', score: null, weight: 0, reason };
}

/** The most common Float32Array length; a tie between lengths is an error. */
function majorityDimension(entries: readonly Entry[]): number {
  const counts = new Map<number, number>();
  for (const e of entries) {
    if (e.values instanceof Float32Array) counts.set(e.values.length, (counts.get(e.values.length) ?? 0) + 1);
  }
  let best = -1;
  let bestCount = 0;
  let tie = false;
  for (const [length, count] of counts) {
    if (count > bestCount) {
      best = length;
      bestCount = count;
      tie = false;
    } else if (count === bestCount) {
      tie = true;
    }
  }
  if (best < 0) throw new AggregationInputError('updates', 'no update carries a Float32Array');
  if (tie) throw new AggregationInputError('updates', 'no single length is shared by most updates; pass options.dimension');
  return best;
}

function scaled(x: Float32Array, factor: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let j = 0; j < x.length; j++) out[j] = x[j]! * factor;
  return out;
}

/** An update that passed the shape checks (id, weight, type, length), in canonical position. */
export interface Shaped {
  readonly id: string;
  readonly values: Float32Array;
  readonly weight: number;
}

/** The outcome of the shape checks. */
export interface ShapeScreened {
  readonly dimension: number;
  readonly shaped: readonly Shaped[];
  readonly rejected: readonly Decision[];
  /** Distinct update ids seen, the n of the Byzantine budget. */
  readonly distinct: number;
}

/**
 * Canonicalises updates and checks their shape: sorts by id, collapses byte-identical duplicates,
 * rejects every copy of an id that carries different contents, and rejects per update a bad
 * weight, values that are not a Float32Array, or a wrong length. Nothing here depends on arrival
 * order.
 */
export function screenShape(
  updates: readonly Update[],
  weights: readonly number[] | undefined,
  dimension: number | undefined,
): ShapeScreened {
  if (!Array.isArray(updates) || updates.length === 0) throw new AggregationInputError('updates', 'must be a non-empty array');
  if (weights !== undefined && weights.length !== updates.length) {
    throw new AggregationInputError('weights', `has ${weights.length} entries for ${updates.length} updates`);
  }
  const entries: Entry[] = updates.map((u, i) => {
    if (typeof u?.id !== 'string' || u.id.length === 0) {
      throw new AggregationInputError(`updates[${i}].id`, 'must be a non-empty string');
    }
    return { id: u.id, values: u.values as unknown, weight: weights?.[i] ?? u.weight ?? 1 };
  });
  entries.sort((a, b) => compareIds(a.id, b.id));

  const distinctEntries: Entry[] = [];
  const rejected: Decision[] = [];
  for (let i = 0; i < entries.length; ) {
    let k = i + 1;
    let conflict = false;
    while (k < entries.length && entries[k]!.id === entries[i]!.id) {
      if (!sameEntry(entries[i]!, entries[k]!)) conflict = true;
      k++;
    }
    if (conflict) rejected.push(reject(entries[i]!.id, 'several updates share this id with different contents'));
    else distinctEntries.push(entries[i]!);
    i = k;
  }
  const distinct = distinctEntries.length + rejected.length;
  if (dimension !== undefined && (!Number.isSafeInteger(dimension) || dimension < 1)) {
    throw new AggregationInputError('options.dimension', 'must be a positive integer');
  }
  const d = dimension ?? majorityDimension(distinctEntries);

  const shaped: Shaped[] = [];
  for (const e of distinctEntries) {
    const x = e.values;
    if (typeof e.weight !== 'number' || !Number.isFinite(e.weight) || e.weight <= 0) {
      rejected.push(reject(e.id, `weight ${String(e.weight)} is not a finite positive number`));
    } else if (!(x instanceof Float32Array)) {
      rejected.push(reject(e.id, 'values are not a Float32Array'));
    } else if (x.length !== d) {
      rejected.push(reject(e.id, `length ${x.length} differs from the model dimension ${d}`));
    } else {
      shaped.push({ id: e.id, values: x, weight: e.weight });
    }
  }
  return { dimension: d, shaped, rejected, distinct };
}

/**
 * Checks norms, given each shaped update's sum of squares: rejects NaN or infinite values (the sum
 * is then not finite) and norms above `maxNorm`, then applies the norm-bound pre-filter (clip or
 * reject). Returns the candidates and the new rejections, in canonical order.
 */
export function screenNorms(
  shaped: readonly Shaped[],
  squares: Float64Array,
  maxNorm: number,
  normBound: NormBound | undefined,
): { candidates: Candidate[]; rejected: Decision[] } {
  const candidates: Candidate[] = [];
  const rejected: Decision[] = [];
  shaped.forEach((e, i) => {
    const norm = Math.sqrt(squares[i]!);
    if (!Number.isFinite(norm)) {
      rejected.push(reject(e.id, 'contains NaN or infinite values'));
    } else if (norm > maxNorm) {
      rejected.push(reject(e.id, `norm ${norm} exceeds the hygiene bound ${maxNorm}`));
    } else if (normBound !== undefined && norm > normBound.maxNorm) {
      if (normBound.action === 'reject') {
        rejected.push(reject(e.id, `norm ${norm} exceeds the norm bound ${normBound.maxNorm}`));
      } else {
        candidates.push({ ...e, values: scaled(e.values, normBound.maxNorm / norm), norm, clipped: true });
      }
    } else {
      candidates.push({ ...e, norm, clipped: false });
    }
  });
  return { candidates, rejected };
}

/** Merges decision lists into canonical (id) order. */
export function byId(decisions: readonly Decision[]): Decision[] {
  return [...decisions].sort((a, b) => compareIds(a.id, b.id));
}
