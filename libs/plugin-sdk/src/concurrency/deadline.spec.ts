import { describe, expect, it } from '@jest/globals';
import { Deadline } from './deadline.js';

describe('Deadline', () => {
  it('counts down and fires its signal when it passes', async () => {
    // The countdown on a deadline no stall of a loaded machine reaches (AbortSignal.timeout does not hold the
    // process open); the firing on a short one.
    const distant = Deadline.in(60_000);
    expect(distant.expired).toBe(false);
    expect(distant.remainingMs()).toBeGreaterThan(0);
    expect(distant.remainingMs()).toBeLessThanOrEqual(60_000);
    const deadline = Deadline.in(30);
    await new Promise((resolve) => deadline.signal.addEventListener('abort', resolve, { once: true }));
    expect(deadline.expired).toBe(true);
    expect(deadline.remainingMs()).toBe(0);
  });

  it('caps to a shorter deadline that also fires with the longer one, and keeps itself when the cap is longer', () => {
    const outer = Deadline.in(10_000);
    const capped = outer.cap(50);
    expect(capped.remainingMs()).toBeLessThanOrEqual(50);
    expect(outer.cap(60_000)).toBe(outer);
    const parent = new AbortController();
    const child = Deadline.in(10_000, parent.signal);
    parent.abort();
    expect(child.expired).toBe(true);
  });
});
