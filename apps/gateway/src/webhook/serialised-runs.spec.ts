import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Endpoint } from '@dnsgate/plugin-sdk';
import { AVERAGE_RUN, serialiseReusingRuns } from './serialised-runs.js';

const a = (i: number): Endpoint => ({
  dnsName: `host-${i}.example.org`,
  targets: [`10.0.${i >> 8}.${i & 255}`],
  recordType: 'A',
});
const text = (chunks: readonly Buffer[]) => Buffer.concat(chunks).toString();

describe('serialiseReusingRuns', () => {
  it('is JSON.stringify of the endpoints without brackets, whatever was serialised before', () => {
    const pool = Array.from({ length: 3000 }, (_, i) => a(i));
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: pool.length - 1 }), { maxLength: 2500 }), (picks) => {
        const endpoints = picks.map((i) => pool[i]!);
        expect(text(serialiseReusingRuns(endpoints))).toBe(JSON.stringify(endpoints).slice(1, -1));
      }),
      { numRuns: 60 },
    );
  });

  it('after an insertion and a deletion, serialises again only the runs that hold them', () => {
    const before = Array.from({ length: 20 * AVERAGE_RUN }, (_, i) => a(i));
    const first = serialiseReusingRuns(before);
    const after = [...before];
    after.splice(7 * AVERAGE_RUN, 0, a(1_000_000));
    after.splice(3 * AVERAGE_RUN, 1);
    const second = serialiseReusingRuns(after);
    expect(text(second)).toBe(JSON.stringify(after).slice(1, -1));
    const kept = new Set(first);
    const runs = second.filter((chunk) => chunk.length > 1);
    const fresh = runs.filter((chunk) => !kept.has(chunk));
    expect(runs.length).toBeGreaterThan(10);
    expect(fresh.length).toBeLessThanOrEqual(2);
    // A new object with the same content is serialised anew, never taken for the old one.
    const copied = after.map((endpoint) => ({ ...endpoint }));
    expect(serialiseReusingRuns(copied).some((chunk) => chunk.length > 1 && kept.has(chunk))).toBe(false);
  });
});
