import { describe, expect, it } from '@jest/globals';
import { readAhead, settleWithLimit } from './concurrency.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('readAhead', () => {
  it('keeps at most `limit` calls in flight and goes on without anyone waiting', async () => {
    let inFlight = 0;
    let most = 0;
    const finished: number[] = [];
    const results = readAhead([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      inFlight++;
      most = Math.max(most, inFlight);
      for (let i = 0; i < 8 - n; i++) await tick(); // later items finish sooner
      inFlight--;
      finished.push(n);
      return n * 10;
    });
    // Nobody awaits the results yet: every call still runs.
    for (let i = 0; i < 100 && finished.length < 7; i++) await tick();
    expect(finished.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(most).toBe(3);
    expect(await Promise.all(results)).toEqual(
      [1, 2, 3, 4, 5, 6, 7].map((n) => ({ status: 'fulfilled', value: n * 10 })),
    );
  });

  it('settles each item with its own outcome, in input order, never rejecting', async () => {
    const failure = new Error('zone b');
    const results = readAhead(['a', 'b', 'c'], 2, async (zone) => {
      await tick();
      if (zone === 'b') throw failure;
      return zone.toUpperCase();
    });
    expect(await Promise.all(results)).toEqual([
      { status: 'fulfilled', value: 'A' },
      { status: 'rejected', reason: failure },
      { status: 'fulfilled', value: 'C' },
    ]);
    expect(readAhead([], 4, async () => 1)).toEqual([]);
  });

  it('gives what settleWithLimit gives, for the same calls', async () => {
    const fn = async (n: number) => {
      await tick();
      if (n % 3 === 0) throw new Error(`n=${n}`);
      return n;
    };
    const items = [1, 2, 3, 4, 5, 6];
    expect(await Promise.all(readAhead(items, 2, fn))).toEqual(await settleWithLimit(items, 2, fn));
  });
});
