import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Endpoint } from '@dnsgate/plugin-sdk';
import { AVERAGE_RUN, serialiseReusingRuns, type RunInAnswer } from './serialised-runs.js';

const a = (i: number): Endpoint => ({
  dnsName: `host-${i}.example.org`,
  targets: [`10.0.${i >> 8}.${i & 255}`],
  recordType: 'A',
});
const text = (chunks: readonly Buffer[]) => Buffer.concat(chunks).toString();
const all: RunInAnswer = (run) => run;
const counting = (keep: (endpoint: Endpoint) => boolean) => {
  const seen = { endpoints: 0 };
  const inAnswer: RunInAnswer = (run) => {
    seen.endpoints += run.length;
    return run.filter(keep);
  };
  return { seen, inAnswer };
};

describe('serialiseReusingRuns', () => {
  it('is JSON.stringify of the endpoints in the answer without brackets, whatever was serialised before', () => {
    const pool = Array.from({ length: 3000 }, (_, i) => a(i));
    const odd = (endpoint: Endpoint) => Number(endpoint.targets[0]!.split('.')[3]) % 2 === 1;
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: pool.length - 1 }), { maxLength: 2500 }),
        fc.constantFrom('all', 'odd'),
        (picks, scope) => {
          const endpoints = picks.map((i) => pool[i]!);
          const keep = scope === 'all' ? () => true : odd;
          const answered = serialiseReusingRuns(endpoints, scope, (run) => run.filter(keep));
          const expected = endpoints.filter(keep);
          expect(text(answered.chunks)).toBe(JSON.stringify(expected).slice(1, -1));
          expect(answered.count).toBe(expected.length);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('after an insertion and a deletion, cuts and serialises again only the runs that hold them', () => {
    const before = Array.from({ length: 20 * AVERAGE_RUN }, (_, i) => a(i));
    const first = serialiseReusingRuns(before, 'scope', all).chunks;
    const after = [...before];
    after.splice(7 * AVERAGE_RUN, 0, a(1_000_000));
    after.splice(3 * AVERAGE_RUN, 1);
    const { seen, inAnswer } = counting(() => true);
    const second = serialiseReusingRuns(after, 'scope', inAnswer).chunks;
    expect(text(second)).toBe(JSON.stringify(after).slice(1, -1));
    // Only the (at most two) runs holding the changes went through the scope's cut again.
    expect(seen.endpoints).toBeGreaterThan(0);
    expect(seen.endpoints).toBeLessThan(after.length / 4);
    const kept = new Set(first);
    const runs = second.filter((chunk) => chunk.length > 1);
    const fresh = runs.filter((chunk) => !kept.has(chunk));
    expect(runs.length).toBeGreaterThan(10);
    expect(fresh.length).toBeLessThanOrEqual(2);
    // A new object with the same content is serialised anew, never taken for the old one.
    const copied = after.map((endpoint) => ({ ...endpoint }));
    expect(serialiseReusingRuns(copied, 'scope', all).chunks.some((c) => c.length > 1 && kept.has(c))).toBe(false);
  });

  it('cuts the runs where a read never answered before would be cut, through any edits (kept runs are skipped whole)', () => {
    const pool = Array.from({ length: 6 * AVERAGE_RUN }, (_, i) => a(i));
    const lengths = (chunks: readonly Buffer[]) => chunks.map((chunk) => chunk.length);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(pool.length), fc.boolean()), { maxLength: 12 }),
        fc.boolean(),
        (edits, trimEnd) => {
          let endpoints = [...pool];
          serialiseReusingRuns(endpoints, 'scope', all);
          for (const [at, insert] of edits) {
            endpoints = [...endpoints];
            if (insert) endpoints.splice(at % (endpoints.length + 1), 0, a(pool.length + at));
            else endpoints.splice(at % Math.max(endpoints.length, 1), 1);
            if (trimEnd) endpoints.pop();
            const answered = serialiseReusingRuns(endpoints, 'scope', all);
            const fresh = serialiseReusingRuns(
              endpoints.map((endpoint) => ({ ...endpoint })),
              'scope',
              all,
            );
            expect(lengths(answered.chunks)).toEqual(lengths(fresh.chunks));
            expect(text(answered.chunks)).toBe(JSON.stringify(endpoints).slice(1, -1));
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('cuts a run again under another scope, and leaves out runs with nothing in the answer', () => {
    const endpoints = Array.from({ length: 8 * AVERAGE_RUN }, (_, i) => a(i));
    serialiseReusingRuns(endpoints, 'wide', all);
    const { seen, inAnswer } = counting((endpoint) => endpoint.dnsName === 'host-5.example.org');
    const narrow = serialiseReusingRuns(endpoints, 'narrow', inAnswer);
    expect(seen.endpoints).toBe(endpoints.length);
    expect(narrow.count).toBe(1);
    expect(text(narrow.chunks)).toBe(JSON.stringify([a(5)]).slice(1, -1));
    expect(serialiseReusingRuns(endpoints, 'none', () => [])).toEqual({ chunks: [], count: 0 });
  });
});
