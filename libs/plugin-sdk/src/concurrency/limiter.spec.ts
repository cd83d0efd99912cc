import { describe, expect, it } from '@jest/globals';
import { Limiter, settle, settleWithLimit } from './limiter.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 2));

describe('Limiter', () => {
  it('keeps at most `limit` tasks in flight, starts them in call order, and goes on after one that throws', async () => {
    const limiter = new Limiter(2);
    let inFlight = 0;
    let most = 0;
    const started: number[] = [];
    const task = (n: number) =>
      limiter.run(async () => {
        started.push(n);
        most = Math.max(most, ++inFlight);
        await tick();
        inFlight--;
        if (n === 1) throw new Error('one');
        return n;
      });
    const outcomes = await Promise.allSettled([0, 1, 2, 3, 4].map(task));
    expect(most).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
  });

  it('treats a limit below 1 as 1', async () => {
    const limiter = new Limiter(0);
    let inFlight = 0;
    let most = 0;
    await Promise.all(
      [1, 2, 3].map(() =>
        limiter.run(async () => {
          most = Math.max(most, ++inFlight);
          await tick();
          inFlight--;
        }),
      ),
    );
    expect(most).toBe(1);
  });
});

describe('settle and settleWithLimit', () => {
  it('never reject, and keep each outcome in input order', async () => {
    expect(await settle(Promise.reject(new Error('x')))).toMatchObject({ status: 'rejected' });
    const results = await settleWithLimit([3, 1, 2], 2, async (n) => {
      await new Promise((resolve) => setTimeout(resolve, n));
      if (n === 1) throw new Error('one');
      return n * 10;
    });
    expect(results).toEqual([
      { status: 'fulfilled', value: 30 },
      { status: 'rejected', reason: new Error('one') },
      { status: 'fulfilled', value: 20 },
    ]);
  });
});
