import { describe, expect, it } from '@jest/globals';
import { Mutex } from './mutex.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('Mutex', () => {
  it('runs sections one at a time, in call order, and goes on after one that throws', async () => {
    const mutex = new Mutex();
    const events: string[] = [];
    const section = (name: string, fail = false) =>
      mutex.run(async () => {
        events.push(`${name} in`);
        await tick();
        events.push(`${name} out`);
        if (fail) throw new Error(name);
        return name;
      });
    const outcomes = await Promise.allSettled([section('a'), section('b', true), section('c')]);
    expect(events).toEqual(['a in', 'a out', 'b in', 'b out', 'c in', 'c out']);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[2] as PromiseFulfilledResult<string>).value).toBe('c');
  });
});
