import fc from 'fast-check';

import { SortedKeys } from '../sorted-keys';

describe('SortedKeys', () => {
  it('pages through the keys added and not deleted, in order, as a sorted set would', () => {
    const op = fc.tuple(fc.boolean(), fc.string({ maxLength: 3 }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.option(fc.string({ maxLength: 3 }), { nil: undefined }), fc.integer({ min: 0, max: 10 }), (ops, after, limit) => {
        const keys = new SortedKeys();
        const model = new Set<string>();
        for (const [add, key] of ops) {
          if (add) {
            keys.add(key);
            model.add(key);
          } else {
            keys.delete(key);
            model.delete(key);
          }
        }
        const sorted = [...model].sort();
        const rest = after === undefined ? sorted : sorted.filter((k) => k > after);
        expect(keys.size).toBe(sorted.length);
        expect(keys.page(after, limit)).toEqual({ keys: rest.slice(0, limit), more: rest.length > limit });
      }),
    );
  });
});
