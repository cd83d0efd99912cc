import fc from 'fast-check';
import { NameOrderTracker, compareNameBytes, compareNames } from './name-order.js';

/** The order compareNames is held to: lexicographic over the labels from the right. */
const reversed = (s: string) => s.split('.').reverse();
const lexicographic = (a: string[], b: string[]): number => {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return a.length - b.length;
};

describe('compareNames', () => {
  it('orders a zone as BIND sends it: the apex, then each subtree by its labels from the right', () => {
    const names = ['b.zone.test', 'zone.test', 'a.b.zone.test', 'a.zone.test', 'z.a.zone.test', 'aa.zone.test', '.'];
    expect([...names].sort(compareNames)).toEqual([
      '.',
      'zone.test',
      'a.zone.test',
      'z.a.zone.test',
      'aa.zone.test',
      'b.zone.test',
      'a.b.zone.test',
    ]);
  });

  it('is a strict total order on any strings (antisymmetric, transitive, 0 only for equal strings)', () => {
    const name = fc.stringMatching(/^[a-c.]{0,8}$/);
    fc.assert(
      fc.property(name, name, name, (a, b, c) => {
        expect(Math.sign(compareNames(a, b)) + Math.sign(compareNames(b, a))).toBe(0);
        expect(compareNames(a, b) === 0).toBe(a === b);
        if (compareNames(a, b) < 0 && compareNames(b, c) < 0) expect(compareNames(a, c)).toBeLessThan(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('orders names below one parent by their first labels, as by all their labels', () => {
    const label = fc.stringMatching(/^[a-c]{0,3}$/);
    const parent = fc.stringMatching(/^[a-c.]{0,6}$/);
    fc.assert(
      fc.property(label, label, parent, (first, second, rest) => {
        const a = `${first}.${rest}`;
        const b = `${second}.${rest}`;
        expect(Math.sign(compareNames(a, b))).toBe(Math.sign(lexicographic(reversed(a), reversed(b))));
        expect(compareNames(a, b) === 0).toBe(a === b);
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with comparing the labels reversed', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-c.]{0,8}$/), fc.stringMatching(/^[a-c.]{0,8}$/), (a, b) => {
        expect(Math.sign(compareNames(a, b))).toBe(Math.sign(lexicographic(reversed(a), reversed(b))));
      }),
    );
  });
});

describe('compareNameBytes', () => {
  it('orders names given as bytes as compareNames orders their text', () => {
    const name = fc
      .array(fc.stringMatching(/^[a-z0-9-]{0,4}$/), { minLength: 1, maxLength: 4 })
      .map((labels) => labels.join('.'));
    const bytes = (text: string) => Buffer.from(`${text}??`, 'latin1');
    fc.assert(
      fc.property(name, name, (a, b) => {
        // Past each name's length are other bytes: only the given length counts.
        expect(Math.sign(compareNameBytes(bytes(a), a.length, bytes(b), b.length))).toBe(Math.sign(compareNames(a, b)));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('NameOrderTracker', () => {
  it('follows names in order, a name repeated while its RRs go on, and stays unordered once one comes back', () => {
    const tracker = new NameOrderTracker();
    expect(['zone.test', 'zone.test', 'a.zone.test', 'b.zone.test'].map((n) => tracker.next(n))).toEqual([
      'next',
      'same',
      'next',
      'next',
    ]);
    expect(tracker.inOrder).toBe(true);
    expect(tracker.next('a.zone.test')).toBe('unordered');
    expect(tracker.next('c.zone.test')).toBe('unordered');
    expect(tracker.inOrder).toBe(false);
  });
});
