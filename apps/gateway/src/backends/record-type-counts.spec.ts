import { describe, expect, it } from '@jest/globals';
import type { Endpoint, ZoneRead } from '@dnsgate/plugin-sdk';
import { recordTypeCounts } from './record-type-counts.js';

function endpoint(dnsName: string, recordType: string): Endpoint {
  return { dnsName, recordType, targets: ['192.0.2.1'] };
}

describe('recordTypeCounts', () => {
  it('sums the endpoints of every read by record type', () => {
    const reads: ZoneRead[] = [
      { zone: 'a.test', endpoints: [endpoint('x.a.test', 'A'), endpoint('y.a.test', 'TXT')], reusable: true },
      { zone: undefined, endpoints: [endpoint('x.b.test', 'A'), endpoint('x.b.test', 'AAAA')], reusable: false },
    ];
    expect(Object.fromEntries(recordTypeCounts(reads))).toEqual({ A: 2, TXT: 1, AAAA: 1 });
    expect(recordTypeCounts([]).size).toBe(0);
    // A read answered as JSON brings its own counts.
    const serialised = {
      chunks: [],
      count: 3,
      countsByType: new Map([
        ['A', 1],
        ['MX', 2],
      ]),
    };
    expect(Object.fromEntries(recordTypeCounts([...reads, { serialised }]))).toEqual({ A: 3, TXT: 1, AAAA: 1, MX: 2 });
  });

  it('counts a reusable read once: served again (the same array), it gives the counts made the first time', () => {
    const endpoints = [endpoint('x.a.test', 'A'), endpoint('y.a.test', 'A')];
    const read: ZoneRead = { zone: 'a.test', endpoints, reusable: true };
    expect(recordTypeCounts([read]).get('A')).toBe(2);
    // The records cache never changes an array it serves again; changing it here shows the kept counts are used.
    endpoints.push(endpoint('z.a.test', 'A'));
    expect(recordTypeCounts([read]).get('A')).toBe(2);
    // Another array (the zone changed, a new read) is counted.
    expect(recordTypeCounts([{ ...read, endpoints: [...endpoints] }]).get('A')).toBe(3);
  });

  it('counts a read that is not reusable every time', () => {
    const endpoints = [endpoint('x.a.test', 'A')];
    const read: ZoneRead = { zone: undefined, endpoints, reusable: false };
    expect(recordTypeCounts([read]).get('A')).toBe(1);
    endpoints.push(endpoint('y.a.test', 'A'));
    expect(recordTypeCounts([read]).get('A')).toBe(2);
  });
});
