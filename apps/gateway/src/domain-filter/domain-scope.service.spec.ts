import { describe, expect, it } from '@jest/globals';
import { keptInScope } from './domain-scope.service.js';

describe('keptInScope', () => {
  it('gives the list itself when every item is kept, each asked once in order', () => {
    const list = [1, 2, 3];
    const asked: number[] = [];
    expect(
      keptInScope(list, (n) => {
        asked.push(n);
        return true;
      }),
    ).toBe(list);
    expect(asked).toEqual([1, 2, 3]);
    const empty: number[] = [];
    expect(keptInScope(empty, () => false)).toBe(empty);
  });

  it('gives what filter gives otherwise, a new list, the original untouched, each asked once', () => {
    for (const list of [
      [1, 2, 3, 4, 5, 6],
      [2, 4, 6],
      [1, 3],
      [2, 1, 4],
      [1, 2, 2, 1],
    ]) {
      const copy = [...list];
      let asked = 0;
      const odd = (n: number) => {
        asked++;
        return n % 2 === 1;
      };
      const kept = keptInScope(list, odd);
      expect(kept).toEqual(copy.filter((n) => n % 2 === 1));
      if (!list.every((n) => n % 2 === 1)) expect(kept).not.toBe(list);
      expect(list).toEqual(copy);
      expect(asked).toBe(list.length);
    }
  });
});
