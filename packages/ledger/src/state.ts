/**
 * The ledger state: a key-value map of canonical values with an application
 * hash (see StateHash) whose upkeep costs what a block writes, not the size
 * of the state. Every validator computes the same hash from the same state,
 * whatever order the writes came in and whatever was written before.
 *
 * Archived records (isArchivedKey: rounds' records) are in the state and its
 * hash like any other, but execution never reads them, so their values need
 * not stay in memory: the host releases them once their block is stored, and
 * reads them back from the store for queries.
 */
import { decodeCanonical, encodeCanonical, sha256, toHex, type Canonical } from '@learnchain/core';

import { ArchivedRecordError, UnknownPathError } from './errors';
import { isArchivedKey } from './records';
import { SortedKeys } from './sorted-keys';
import { StateHash } from './state-hash';

/** Read access to the state (or to a state with pending writes on top). */
export interface StateView {
  /** Throws ArchivedRecordError for an archived record, which execution may not read. */
  get(key: string): Canonical | undefined;
}

/** Writes a transaction or block makes: null deletes. */
export type Writes = ReadonlyMap<string, Canonical | null>;

/** The collections QueryState lists whole ("jobs", "members"): the records one level under each. */
const LISTED = ['jobs', 'members'] as const;

/** The listed collection a key is a record of ("jobs/ID" → "jobs"; "jobs/ID/rounds/1" → none). */
function listedIn(key: string): string | undefined {
  const slash = key.indexOf('/');
  if (slash < 0 || key.indexOf('/', slash + 1) >= 0) return undefined;
  const collection = key.slice(0, slash);
  return (LISTED as readonly string[]).includes(collection) ? collection : undefined;
}

/** The state key a QueryState path names ("/jobs/a/" → "jobs/a"). */
export function statePath(path: string): string {
  return path.replace(/^\/+|\/+$/g, '');
}

/** The committed state of one validator. Mutated only through `apply`, by the host, after a block commits. */
export class LedgerState implements StateView {
  /** Every value, but archived records' only until released. */
  private readonly values = new Map<string, Canonical>();
  private readonly hash = new StateHash();
  /** The keys of each listed collection, in order, kept as writes come (listing one reads only its own). */
  private readonly listed = new Map<string, SortedKeys>(LISTED.map((c) => [c, new SortedKeys()]));

  /**
   * A state from stored rows: (key, canonical bytes) of the records kept in
   * memory, and (key, SHA-256 of the canonical bytes) of the archived ones.
   */
  static fromRows(rows: Iterable<{ readonly key: string; readonly value: Uint8Array }>, archived: Iterable<{ readonly key: string; readonly hash: Uint8Array }> = []): LedgerState {
    const state = new LedgerState();
    const writes = new Map<string, Canonical | null>();
    for (const row of rows) writes.set(row.key, decodeCanonical(row.value));
    state.apply(writes);
    for (const row of archived) state.hash.set(row.key, row.hash);
    return state;
  }

  get(key: string): Canonical | undefined {
    if (isArchivedKey(key)) throw new ArchivedRecordError(key);
    return this.values.get(key);
  }

  /** An archived record written and not released yet (undefined once released: read it from the store). */
  held(key: string): Canonical | undefined {
    return isArchivedKey(key) ? this.values.get(key) : undefined;
  }

  /** Applies writes (null deletes). */
  apply(writes: Writes): void {
    for (const [key, value] of writes) {
      const collection = listedIn(key);
      if (value === null) {
        this.values.delete(key);
        this.hash.delete(key);
        if (collection) this.listed.get(collection)?.delete(key);
      } else {
        this.values.set(key, value);
        this.hash.set(key, sha256(encodeCanonical(value)));
        if (collection) this.listed.get(collection)?.add(key);
      }
    }
  }

  /** Drops from memory the archived records `writes` wrote, once they are stored; a record written again since stays. */
  release(writes: Writes): void {
    for (const [key, value] of writes) if (value !== null && this.values.get(key) === value && isArchivedKey(key)) this.values.delete(key);
  }

  /** The application hash over the whole state. */
  appHash(): Uint8Array {
    return this.hash.root();
  }

  /** Whether a QueryState path names a listed collection ("jobs", "members"). */
  isList(path: string): boolean {
    return this.listed.has(statePath(path));
  }

  /**
   * A page of a listed collection: up to `limit` records by id, from the one
   * after the id `after` ("" from the first), and the `after` of the next
   * page ("" when this one ends the list).
   */
  page(path: string, after: string, limit: number): { records: Canonical[]; nextAfter: string } {
    const collection = statePath(path);
    const keys = this.listed.get(collection);
    if (!keys) throw new UnknownPathError(path);
    const page = keys.page(after === '' ? undefined : `${collection}/${after}`, limit);
    const last = page.keys[page.keys.length - 1];
    return { records: page.keys.map((k) => this.get(k) as Canonical), nextAfter: page.more && last ? last.slice(collection.length + 1) : '' };
  }

  /**
   * Answers a QueryState path: "jobs/ID", "members/ID", "validators",
   * "reputation/NODE", "nonces/KEY", and a listed collection whole ("jobs",
   * "members"; `page` gives it a page at a time). Throws UnknownPathError,
   * and ArchivedRecordError for a round's record ("jobs/ID/rounds/N"), which
   * the host reads from its store once released.
   */
  query(path: string): Canonical {
    const clean = statePath(path);
    const listed = this.listed.get(clean);
    if (listed) return this.page(clean, '', listed.size).records;
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
    // Like the state under it, even for one written earlier in the same block.
    if (isArchivedKey(key)) throw new ArchivedRecordError(key);
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
