/**
 * A least-recently-used map bounded by a budget of size units (bytes, for
 * blob caches): adding past the budget drops the least recently used entries
 * first; an entry larger than the whole budget is never kept.
 */
export class SizedLru<V> {
  private readonly kept = new Map<string, { readonly value: V; readonly size: number }>();
  private used = 0;

  constructor(
    readonly capacity: number,
    /** Hears each key dropped to make room (not those `delete` drops). */
    private readonly onEvict: (key: string) => void = () => undefined,
  ) {}

  /** The value under `key`, now the most recently used; undefined when not kept. */
  get(key: string): V | undefined {
    const found = this.kept.get(key);
    if (!found) return undefined;
    // Map order is insertion order: re-inserting marks it most recently used.
    this.kept.delete(key);
    this.kept.set(key, found);
    return found.value;
  }

  has(key: string): boolean {
    return this.kept.has(key);
  }

  /** Whether `value` (of `size` units) would be kept: fits the budget and `key` is not kept already. */
  accepts(key: string, size: number): boolean {
    return size <= this.capacity && !this.kept.has(key);
  }

  /** Keeps `value` unless `accepts` says no (a kept value is not replaced); drops the least recently used past the budget. */
  set(key: string, value: V, size: number): boolean {
    if (!this.accepts(key, size)) return false;
    this.kept.set(key, { value, size });
    this.used += size;
    for (const [oldKey, oldest] of this.kept) {
      if (this.used <= this.capacity) break;
      this.kept.delete(oldKey);
      this.used -= oldest.size;
      this.onEvict(oldKey);
    }
    return true;
  }

  /** Drops the value under `key`; false when none was kept. */
  delete(key: string): boolean {
    const found = this.kept.get(key);
    if (!found) return false;
    this.kept.delete(key);
    this.used -= found.size;
    return true;
  }

  /** Size units held now. */
  get size(): number {
    return this.used;
  }

  /** Entries held now. */
  get count(): number {
    return this.kept.size;
  }
}
