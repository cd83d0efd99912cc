import { isIPv4, isIPv6 } from 'node:net';
import * as fc from 'fast-check';
import { isWithinDomain } from '@dnsgate/protocol';
import { parseQuotedStrings, txtTargetValue } from '../records/txt.js';
import {
  GENERATED_RECORD_TYPES,
  SAMPLE_TARGETS,
  dnsLabelArbitrary,
  endpointArbitrary,
  endpointsArbitrary,
  formatIpv6,
  hostnameArbitrary,
  recordTargetArbitrary,
  sampleTargets,
} from './record-generators.js';

const LABEL = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;
const HOST = /^([a-z]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/;
const U16 = '(\\d{1,5})';

/** What a target of each type must look like, checked independently of how it was generated. */
const VALID: Record<string, (target: string) => boolean> = {
  A: (t) => isIPv4(t) && !t.split('.').some((octet) => /^0\d/.test(octet)),
  AAAA: (t) => isIPv6(t) && t === t.toLowerCase() && !/(^|:)0[0-9a-f]/.test(t),
  CNAME: (t) => HOST.test(t),
  NS: (t) => HOST.test(t),
  PTR: (t) => HOST.test(t),
  DNAME: (t) => HOST.test(t),
  TXT: (t) => t.trim() !== '' && txtTargetValue(t) !== '' && !t.includes('\\'),
  MX: (t) => new RegExp(`^${U16} (.+)$`).test(t) && u16s(t, 1) && HOST.test(t.split(' ')[1]!),
  SRV: (t) => new RegExp(`^${U16} ${U16} ${U16} (.+)$`).test(t) && u16s(t, 3) && HOST.test(t.split(' ')[3]!),
  CAA: (t) => /^(0|128) (issue|issuewild|iodef) "[^"\s]+"$/.test(t),
  NAPTR: (t) => {
    const match = /^(\d+) (\d+) ("[^"]*" "[^"]*" "[^"]*") (\S+)$/.exec(t);
    if (!match || !u16s(t, 2)) return false;
    const strings = parseQuotedStrings(match[3]!);
    const replacement = match[4]!;
    // RFC 3403: a regexp and a replacement are mutually exclusive.
    return strings?.length === 3 && (strings[2] === '' ? HOST.test(replacement) : replacement === '.');
  },
};

function u16s(target: string, count: number): boolean {
  return target
    .split(' ')
    .slice(0, count)
    .every((n) => /^\d+$/.test(n) && Number(n) <= 65535);
}

describe('record generators', () => {
  it('knows a validator for every type it generates', () => {
    expect(Object.keys(VALID).sort()).toEqual([...GENERATED_RECORD_TYPES].sort());
  });

  it.each([...GENERATED_RECORD_TYPES])('generates only valid %s targets', (type) => {
    fc.assert(
      fc.property(recordTargetArbitrary(type), (target) => VALID[type]!(target)),
      { numRuns: 300 },
    );
  });

  it.each([...GENERATED_RECORD_TYPES])('has three distinct, valid %s samples', (type) => {
    const samples = sampleTargets(type)!;
    expect(new Set(samples.map((s) => s.toLowerCase())).size).toBe(3);
    expect(samples.filter((s) => !VALID[type]!(s))).toEqual([]);
  });

  it('generates TXT targets with spaces, inner quotes and the registry form', () => {
    const targets = fc.sample(recordTargetArbitrary('TXT'), { numRuns: 2000, seed: 42 });
    expect(targets.some((t) => !t.startsWith('"') && t.includes(' '))).toBe(true);
    expect(targets.some((t) => !t.startsWith('"') && t.includes('"'))).toBe(true);
    expect(targets.some((t) => t.startsWith('"heritage=external-dns,'))).toBe(true);
  });

  it('generates DNS labels of at most 63 characters', () => {
    fc.assert(fc.property(dnsLabelArbitrary(63), (label) => LABEL.test(label) && label.length <= 63));
  });

  it('generates host names under the domain it is given', () => {
    fc.assert(
      fc.property(hostnameArbitrary('example.org'), (host) => HOST.test(host) && host.endsWith('.example.org')),
    );
  });

  it('formats IPv6 addresses as RFC 5952 says', () => {
    expect(formatIpv6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1])).toBe('2001:db8::1');
    expect(formatIpv6([0x2001, 0xdb8, 0, 1, 1, 1, 1, 1])).toBe('2001:db8:0:1:1:1:1:1');
    expect(formatIpv6([0x2001, 0, 0, 1, 0, 0, 0, 1])).toBe('2001:0:0:1::1');
    expect(formatIpv6([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1])).toBe('2001:db8::1:0:0:1');
    expect(formatIpv6([0x2001, 0xdb8, 0xabcd, 0, 0, 0, 0, 0])).toBe('2001:db8:abcd::');
    expect(() => formatIpv6([1, 2, 3])).toThrow(RangeError);
  });

  it('throws for a type it has no generator for', () => {
    expect(() => recordTargetArbitrary('HINFO')).toThrow(/HINFO/);
    expect(sampleTargets('HINFO')).toBeUndefined();
    expect(SAMPLE_TARGETS.A[0]).toBe('192.0.2.1');
  });

  it('generates endpoints below one of the zones, never at the apex, with distinct targets and TTLs in range', () => {
    const zones = ['example.com', 'example.org'];
    fc.assert(
      fc.property(
        fc
          .constantFrom(...GENERATED_RECORD_TYPES)
          .chain((type) => endpointArbitrary({ recordType: type, zones, ttl: { min: 120, max: 3600 } })),
        (endpoint) =>
          zones.some((zone) => isWithinDomain(endpoint.dnsName, zone) && endpoint.dnsName !== zone) &&
          endpoint.dnsName.startsWith('ck-') &&
          endpoint.targets.length >= 1 &&
          new Set(endpoint.targets.map((t) => t.toLowerCase())).size === endpoint.targets.length &&
          (endpoint.recordTTL === undefined || (endpoint.recordTTL >= 120 && endpoint.recordTTL <= 3600)),
      ),
      { numRuns: 500 },
    );
  });

  it('gives CNAME and DNAME endpoints exactly one target, and others up to maxTargets', () => {
    for (const type of ['CNAME', 'DNAME']) {
      const sampled = fc.sample(endpointArbitrary({ recordType: type, zones: ['example.com'] }), 200);
      expect(sampled.filter((e) => e.targets.length !== 1)).toEqual([]);
    }
    const a = fc.sample(endpointArbitrary({ recordType: 'A', zones: ['example.com'], maxTargets: 5 }), 500);
    expect(Math.max(...a.map((e) => e.targets.length))).toBe(5);
    expect(a.some((e) => e.recordTTL === undefined)).toBe(true);
  });

  it('generates endpoint lists with distinct names', () => {
    fc.assert(
      fc.property(endpointsArbitrary({ recordType: 'A', zones: ['example.com'], maxLength: 6 }), (endpoints) => {
        return new Set(endpoints.map((e) => e.dnsName)).size === endpoints.length && endpoints.length <= 6;
      }),
    );
  });
});
