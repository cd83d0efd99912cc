import fc from 'fast-check';
import { parseZoneFile } from '../zone-file/zone-file.parser.js';
import { UnchangedEndpoints, endpointsOf } from './zone-endpoints.js';

const ZONE = 'example.com';
const zone = (body: string) =>
  parseZoneFile(`$ORIGIN ${ZONE}.\n@ 3600 IN SOA ns1 hostmaster 1 3600 600 1209600 300\n@ IN NS ns1\n${body}`, {
    origin: ZONE,
  });

describe('endpointsOf with the endpoints of an earlier listing', () => {
  const before = endpointsOf(
    zone('www 300 A 192.0.2.1\nmail 300 A 192.0.2.2\nmail 300 A 192.0.2.3\nmail 60 TXT "x"\nold 300 A 192.0.2.9\n'),
    [ZONE],
  );

  it('takes over the endpoints that did not change, and only those', () => {
    const after = endpointsOf(
      zone('www 300 A 192.0.2.1\nmail 300 A 192.0.2.3\nmail 300 A 192.0.2.2\nmail 120 TXT "x"\nnew 300 A 192.0.2.8\n'),
      [ZONE],
      before,
    );
    expect(after).toEqual(
      endpointsOf(
        zone(
          'www 300 A 192.0.2.1\nmail 300 A 192.0.2.3\nmail 300 A 192.0.2.2\nmail 120 TXT "x"\nnew 300 A 192.0.2.8\n',
        ),
        [ZONE],
      ),
    );
    const earlier = (name: string, type: string) => before.find((e) => e.dnsName === name && e.recordType === type);
    const now = (name: string, type: string) => after.find((e) => e.dnsName === name && e.recordType === type);
    expect(now('www.example.com', 'A')).toBe(earlier('www.example.com', 'A'));
    expect(now('mail.example.com', 'A')).toBe(earlier('mail.example.com', 'A'));
    expect(now('mail.example.com', 'TXT')).not.toBe(earlier('mail.example.com', 'TXT'));
    expect(now('mail.example.com', 'TXT')?.recordTTL).toBe(120);
  });

  it('gives what a listing without them gives, whatever changed (property)', () => {
    const line = fc
      .tuple(
        fc.constantFrom('a', 'b', 'c', 'd', '*.w', 'x.y'),
        fc.constantFrom(60, 300),
        fc.constantFrom('A 192.0.2.1', 'A 192.0.2.2', 'AAAA ::1', 'TXT "t"', 'MX 10 mx', 'CNAME c'),
      )
      .map(([name, ttl, rest]) => `${name} ${ttl} ${rest}`);
    const body = fc.array(line, { maxLength: 12 }).map((lines) => `${lines.join('\n')}\n`);
    fc.assert(
      fc.property(body, body, (first, second) => {
        const earlier = endpointsOf(zone(first), [ZONE]);
        expect(endpointsOf(zone(second), [ZONE], earlier)).toEqual(endpointsOf(zone(second), [ZONE]));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('UnchangedEndpoints', () => {
  const earlier = [
    { dnsName: 'a.example.com', targets: ['192.0.2.1'], recordType: 'A', recordTTL: 300 },
    { dnsName: 'a.example.com', targets: ['"t"'], recordType: 'TXT', recordTTL: 300 },
    { dnsName: 'c.example.com', targets: ['192.0.2.3', '192.0.2.4'], recordType: 'A', recordTTL: 300 },
  ];

  it('walks the earlier listing once, in order, matching name, type, TTL and targets', () => {
    const reuse = new UnchangedEndpoints(earlier);
    expect(reuse.single('a.example.com', 'A', 300, '192.0.2.1')).toBe(earlier[0]);
    expect(reuse.single('a.example.com', 'TXT', 60, '"t"')).toBeUndefined();
    expect(reuse.single('b.example.com', 'A', 300, '192.0.2.1')).toBeUndefined();
    expect(
      reuse.same({ dnsName: 'c.example.com', targets: ['192.0.2.3', '192.0.2.4'], recordType: 'A', recordTTL: 300 }),
    ).toBe(earlier[2]);
    expect(reuse.single('d.example.com', 'A', 300, '192.0.2.1')).toBeUndefined();
  });

  it('does not take an endpoint whose targets differ', () => {
    const reuse = new UnchangedEndpoints(earlier);
    expect(
      reuse.same({ dnsName: 'c.example.com', targets: ['192.0.2.3'], recordType: 'A', recordTTL: 300 }),
    ).toBeUndefined();
  });
});
