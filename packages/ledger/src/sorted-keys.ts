/** Keys kept in order, for listing a collection a page at a time: insert and delete by binary search. */
export class SortedKeys {
  private readonly keys: string[] = [];

  get size(): number {
    return this.keys.length;
  }

  add(key: string): void {
    const at = this.lowerBound(key);
    if (this.keys[at] !== key) this.keys.splice(at, 0, key);
  }

  delete(key: string): void {
    const at = this.lowerBound(key);
    if (this.keys[at] === key) this.keys.splice(at, 1);
  }

  /** Up to `limit` keys after `after` (from the first when undefined), and whether more follow them. */
  page(after: string | undefined, limit: number): { keys: string[]; more: boolean } {
    let from = after === undefined ? 0 : this.lowerBound(after);
    if (after !== undefined && this.keys[from] === after) from += 1;
    return { keys: this.keys.slice(from, from + limit), more: from + limit < this.keys.length };
  }

  /** The first position whose key is not below `key`. */
  private lowerBound(key: string): number {
    let low = 0;
    let high = this.keys.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.keys[mid] as string) < key) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
