import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { concatenated } from './concatenated.js';

describe('concatenated', () => {
  it('is flat() of any lists, in a new array', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.oneof(fc.integer(), fc.array(fc.integer())), { maxLength: 5 })), (lists) => {
        const joined = concatenated(lists);
        expect(joined).toEqual(lists.flat(1));
        if (lists.length > 0) expect(joined).not.toBe(lists[0]);
      }),
    );
  });

  it('joins more lists than one call takes, and lists longer than a call has arguments', () => {
    const many = Array.from({ length: 200_000 }, (_, i) => [i, -i]);
    expect(concatenated(many)).toEqual(many.flat());
    const long = Array.from({ length: 300_000 }, (_, i) => i);
    expect(concatenated([long, [1]])).toHaveLength(300_001);
  });
});
