import fc from 'fast-check';
import { compareNames } from './dns-names.js';

/** The definition compareNames must keep: labels from the right, compared as arrays. */
function bySplitLabels(a: string, b: string): number {
  const la = a.split('.').reverse();
  const lb = b.split('.').reverse();
  for (let i = 0; i < Math.min(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) return la[i]! < lb[i]! ? -1 : 1;
  }
  return Math.sign(la.length - lb.length);
}

describe('compareNames', () => {
  it.each([
    ['example.com', 'www.example.com', -1],
    ['a.example.com', 'a-b.example.com', -1],
    ['b.example.com', 'a.example.net', -1],
    ['host10.example.com', 'host9.example.com', -1],
    ['x.example.com', 'x.example.com', 0],
    ['.', 'a', -1],
    ['', '.', -1],
  ])('%j against %j → %d', (a, b, expected) => {
    expect(Math.sign(compareNames(a, b))).toBe(expected);
    expect(Math.sign(compareNames(b, a)) + expected).toBe(0);
    expect(bySplitLabels(a, b)).toBe(expected);
  });

  it('orders any two names as comparing their reversed labels does', () => {
    const name = fc.stringMatching(/^[a-c.\\-]{0,12}$/);
    fc.assert(
      fc.property(name, name, (a, b) => {
        expect(Math.sign(compareNames(a, b))).toBe(bySplitLabels(a, b));
      }),
      { numRuns: 5000 },
    );
  });
});
