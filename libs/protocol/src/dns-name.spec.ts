import fc from 'fast-check';
import { ZoneIndex, findZone, isWithinDomain, normalizeDnsName, toFqdn } from './dns-name.js';

describe('DNS name helpers', () => {
  it('normalises case and the trailing dot', () => {
    expect(normalizeDnsName('WWW.Example.COM.')).toBe('www.example.com');
    expect(toFqdn('www.example.com')).toBe('www.example.com.');
  });

  it('finds the longest zone on a label boundary', () => {
    const zones = ['example.com', 'sub.example.com', 'myexample.com'];
    expect(findZone('a.sub.example.com', zones)).toBe('sub.example.com');
    expect(findZone('a.example.com', zones)).toBe('example.com');
    expect(findZone('a.myexample.com', zones)).toBe('myexample.com');
    expect(findZone('example.com', zones)).toBe('example.com');
    expect(findZone('xexample.com', zones)).toBeUndefined();
    expect(isWithinDomain('myexample.com', 'example.com')).toBe(false);
  });

  it('finds the same zones through a ZoneIndex', () => {
    const zones = ['example.com', 'sub.example.com', 'myexample.com'];
    const index = new ZoneIndex(zones);
    for (const name of [
      'a.sub.example.com',
      'A.Example.COM.',
      'a.myexample.com',
      'example.com',
      'xexample.com',
      'com',
    ]) {
      expect(index.find(name)).toBe(findZone(name, zones));
    }
  });

  /** find as it was before it remembered the zone found last: the walk over every suffix. */
  const walkFind = (zones: string[], name: string): string | undefined => {
    const set = new Set(zones.map(normalizeDnsName));
    for (let candidate = normalizeDnsName(name); ;) {
      if (set.has(candidate)) return candidate;
      const dot = candidate.indexOf('.');
      if (dot < 0) return set.has('') ? '' : undefined;
      candidate = candidate.slice(dot + 1);
    }
  };

  it('finds what the walk over every suffix finds, whatever names came before, nested zones and odd names too', () => {
    const label = fc.constantFrom('a', 'b', 'example', 'com', 'sub', 'myexample', 'A', 'Example', '');
    const name = fc
      .tuple(fc.array(label, { minLength: 1, maxLength: 5 }), fc.constantFrom('', '.', ' '))
      .map(([labels, end]) => labels.join('.') + end);
    fc.assert(
      fc.property(fc.array(name, { maxLength: 6 }), fc.array(name, { maxLength: 40 }), (zones, names) => {
        const index = new ZoneIndex(zones);
        for (const n of names) expect(index.find(n)).toBe(walkFind(zones, n));
      }),
      { numRuns: 2000 },
    );
    // A child zone after its parent was found: still the child.
    const index = new ZoneIndex(['example.com', 'sub.example.com']);
    expect(index.find('a.example.com')).toBe('example.com');
    expect(index.find('a.sub.example.com')).toBe('sub.example.com');
    expect(index.find('b.sub.example.com')).toBe('sub.example.com');
    expect(index.find('b.example.com')).toBe('example.com');
  });

  it('says a zone holds a name exactly when find finds one, whatever names came before', () => {
    const label = fc.constantFrom('a', 'b', 'example', 'com', 'sub', 'myexample', 'A', 'Example', '');
    const name = fc
      .tuple(fc.array(label, { minLength: 1, maxLength: 4 }), fc.constantFrom('', '.', ' '))
      .map(([labels, end]) => labels.join('.') + end);
    fc.assert(
      fc.property(fc.array(name, { maxLength: 5 }), fc.array(name, { maxLength: 30 }), (zones, names) => {
        const index = new ZoneIndex(zones);
        for (const n of names) expect(index.holds(n)).toBe(index.find(n) !== undefined);
      }),
      { numRuns: 1000 },
    );
    // Found by that property: a zone written with two trailing dots normalises to one.
    const index = new ZoneIndex(['myexample..']);
    expect(index.holds('myexample..')).toBe(true);
    expect(index.holds('myexample.')).toBe(false);
  });
});
