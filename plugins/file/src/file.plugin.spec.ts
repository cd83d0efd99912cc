import type { Endpoint } from '@dnsgate/plugin-sdk';
import { joinListings } from './file.plugin.js';

const endpoint = (name: string): Endpoint => ({
  dnsName: name,
  targets: ['192.0.2.1'],
  recordType: 'A',
  recordTTL: 300,
});

describe('joinListings', () => {
  it('joins the zones in order into a new array, leaving the shared listings as they were', () => {
    const first = Object.freeze([endpoint('a.example.com'), endpoint('b.example.com')]);
    const second = Object.freeze([endpoint('c.example.org')]);
    const joined = joinListings([first, Object.freeze([]), second]);
    expect(joined.map((e) => e.dnsName)).toEqual(['a.example.com', 'b.example.com', 'c.example.org']);
    expect(joined[0]).toBe(first[0]);
    joined.push(endpoint('d.example.net'));
    expect(first).toHaveLength(2);
    expect(joinListings([])).toEqual([]);
  });

  it('takes a listing of any size (no argument per endpoint)', () => {
    const big = Array.from({ length: 300_000 }, (_, i) => endpoint(`h${i}.example.com`));
    expect(joinListings([big])).toHaveLength(300_000);
  });
});
