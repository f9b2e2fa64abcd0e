import { SizedLru } from '../lru';

describe('SizedLru', () => {
  it('keeps entries up to its budget, dropping the least recently used first', () => {
    const lru = new SizedLru<string>(10);
    expect(lru.set('a', 'A', 4)).toBe(true);
    lru.set('b', 'B', 4);
    expect(lru.get('a')).toBe('A'); // now b is the least recently used
    lru.set('c', 'C', 4);
    expect(lru.get('b')).toBeUndefined();
    expect([lru.get('a'), lru.get('c'), lru.size, lru.count]).toEqual(['A', 'C', 8, 2]);
  });

  it('never keeps an entry larger than the budget, nor replaces a kept one', () => {
    const lru = new SizedLru<string>(10);
    expect(lru.accepts('big', 11)).toBe(false);
    expect(lru.set('big', 'X', 11)).toBe(false);
    expect(lru.has('big')).toBe(false);
    lru.set('a', 'first', 6);
    expect(lru.set('a', 'second', 6)).toBe(false);
    expect([lru.get('a'), lru.size]).toEqual(['first', 6]);
    expect(new SizedLru(0).set('z', 1, 1)).toBe(false);
  });

  it('drops as many old entries as it takes to fit a new one, telling which (not those deleted)', () => {
    const evicted: string[] = [];
    const lru = new SizedLru<number>(10, (key) => evicted.push(key));
    for (const [k, size] of [['a', 3], ['b', 3], ['c', 3]] as const) lru.set(k, size, size);
    lru.set('d', 8, 8);
    expect([lru.has('a'), lru.has('b'), lru.has('c'), lru.has('d'), lru.size]).toEqual([false, false, false, true, 8]);
    lru.delete('d');
    expect(evicted).toEqual(['a', 'b', 'c']);
  });

  it('deletes an entry, giving its size back to the budget', () => {
    const lru = new SizedLru<string>(10);
    lru.set('a', 'A', 6);
    expect([lru.delete('a'), lru.delete('a'), lru.has('a'), lru.size, lru.count]).toEqual([true, false, false, 0, 0]);
    expect(lru.set('b', 'B', 10)).toBe(true);
  });
});
