/**
 * The ledger state: a key-value map of canonical values with an application
 * hash (see StateHash) whose upkeep costs what a block writes, not the size
 * of the state. Every validator computes the same hash from the same state,
 * whatever order the writes came in and whatever was written before.
 */
import { decodeCanonical, encodeCanonical, sha256, toHex, type Canonical } from '@learnchain/core';

import { UnknownPathError } from './errors';
import { StateHash } from './state-hash';

/** Read access to the state (or to a state with pending writes on top). */
export interface StateView {
  get(key: string): Canonical | undefined;
}

/** Writes a transaction or block makes: null deletes. */
export type Writes = ReadonlyMap<string, Canonical | null>;

interface Entry {
  readonly value: Canonical;
  readonly bytes: Uint8Array;
}

/** The collections QueryState lists whole ("jobs", "members"): the records one level under each. */
const LISTED = ['jobs', 'members'] as const;

/** The listed collection a key is a record of ("jobs/ID" → "jobs"; "jobs/ID/rounds/1" → none). */
function listedIn(key: string): string | undefined {
  const slash = key.indexOf('/');
  if (slash < 0 || key.indexOf('/', slash + 1) >= 0) return undefined;
  const collection = key.slice(0, slash);
  return (LISTED as readonly string[]).includes(collection) ? collection : undefined;
}

/** The committed state of one validator. Mutated only through `apply`, by the host, after a block commits. */
export class LedgerState implements StateView {
  private readonly entries = new Map<string, Entry>();
  private readonly hash = new StateHash();
  /** The keys of each listed collection, kept as writes come (listing one reads only its own). */
  private readonly listed = new Map<string, Set<string>>(LISTED.map((c) => [c, new Set<string>()]));

  /** A state from stored (key, canonical bytes) rows. */
  static fromRows(rows: Iterable<{ readonly key: string; readonly value: Uint8Array }>): LedgerState {
    const state = new LedgerState();
    const writes = new Map<string, Canonical | null>();
    for (const row of rows) writes.set(row.key, decodeCanonical(row.value));
    state.apply(writes);
    return state;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): Canonical | undefined {
    return this.entries.get(key)?.value;
  }

  /** The canonical bytes of a key's value, for storage. */
  bytesOf(key: string): Uint8Array | undefined {
    return this.entries.get(key)?.bytes;
  }

  /** Applies writes (null deletes). */
  apply(writes: Writes): void {
    for (const [key, value] of writes) {
      const collection = listedIn(key);
      if (value === null) {
        if (this.entries.delete(key)) this.hash.delete(key);
        if (collection) this.listed.get(collection)?.delete(key);
      } else {
        const bytes = encodeCanonical(value);
        this.entries.set(key, { value, bytes });
        this.hash.set(key, sha256(bytes));
        if (collection) this.listed.get(collection)?.add(key);
      }
    }
  }

  /** The application hash over the whole state. */
  appHash(): Uint8Array {
    return this.hash.root();
  }

  /** Every key, sorted. */
  keys(): string[] {
    return [...this.entries.keys()].sort();
  }

  /**
   * Answers a QueryState path: "jobs/ID", "jobs/ID/rounds/N", "members",
   * "members/ID", "validators", "reputation/NODE", "nonces/KEY". Throws UnknownPathError.
   */
  query(path: string): Canonical {
    const clean = path.replace(/^\/+|\/+$/g, '');
    const listed = this.listed.get(clean);
    if (listed) return [...listed].sort().map((k) => this.get(k) as Canonical);
    const value = this.get(clean);
    if (value === undefined) throw new UnknownPathError(path);
    return value;
  }
}

/** Pending writes over a view: what a block executes against, transaction by transaction. */
export class Overlay implements StateView {
  readonly writes = new Map<string, Canonical | null>();

  constructor(private readonly base: StateView) {}

  get(key: string): Canonical | undefined {
    if (this.writes.has(key)) return this.writes.get(key) ?? undefined;
    return this.base.get(key);
  }

  set(key: string, value: Canonical | null): void {
    this.writes.set(key, value);
  }

  merge(writes: Writes): void {
    for (const [k, v] of writes) this.writes.set(k, v);
  }
}

/** Canonical JSON of a state value: sorted keys, bytes as hex. */
export function canonicalJson(value: Canonical | undefined): string {
  return JSON.stringify(toJsonValue(value ?? null));
}

function toJsonValue(value: Canonical): unknown {
  if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return toHex(value);
  if (Array.isArray(value)) return (value as readonly Canonical[]).map(toJsonValue);
  const out: Record<string, unknown> = {};
  const map = value as Record<string, Canonical | undefined>;
  for (const k of Object.keys(map).sort()) {
    const v = map[k];
    if (v !== undefined) out[k] = toJsonValue(v);
  }
  return out;
}
