import { describe, expect, it } from '@jest/globals';
import { parseZoneExport, ZoneExportFormatError } from './zone-export.parser.js';

/** What PowerDNS 4.7 wrote for a zone (tabs, sorted by name and type, trailing newline). */
const EXPORT = [
  'a.ex.test.\t60\tIN\tA\t1.2.3.4',
  'a.ex.test.\t60\tIN\tA\t1.2.3.6',
  'c.ex.test.\t60\tIN\tCAA\t0 issue "letsencrypt.org"',
  'ex.test.\t60\tIN\tALIAS\tlb.other.',
  'ex.test.\t3600\tIN\tNS\tns1.ex.test.',
  'ex.test.\t3600\tIN\tSOA\ta.misconfigured.dns.server.invalid. hostmaster.ex.test. 2026112402 10800 3600 604800 3600',
  'm.ex.test.\t60\tIN\tMX\t10 mail.ex.test.',
  't.ex.test.\t60\tIN\tTXT\t"a b\\" c" "d\\\\e"',
  't.ex.test.\t60\tIN\tTXT\t"x\\010y\ttab kept"',
  '',
].join('\n');

describe('parseZoneExport', () => {
  it('groups the lines of one name and type into one rrset, contents as PowerDNS wrote them', () => {
    expect(parseZoneExport(EXPORT)).toEqual([
      { name: 'a.ex.test.', type: 'A', ttl: 60, records: [{ content: '1.2.3.4' }, { content: '1.2.3.6' }] },
      { name: 'c.ex.test.', type: 'CAA', ttl: 60, records: [{ content: '0 issue "letsencrypt.org"' }] },
      { name: 'ex.test.', type: 'ALIAS', ttl: 60, records: [{ content: 'lb.other.' }] },
      { name: 'ex.test.', type: 'NS', ttl: 3600, records: [{ content: 'ns1.ex.test.' }] },
      {
        name: 'ex.test.',
        type: 'SOA',
        ttl: 3600,
        records: [
          { content: 'a.misconfigured.dns.server.invalid. hostmaster.ex.test. 2026112402 10800 3600 604800 3600' },
        ],
      },
      { name: 'm.ex.test.', type: 'MX', ttl: 60, records: [{ content: '10 mail.ex.test.' }] },
      {
        name: 't.ex.test.',
        type: 'TXT',
        ttl: 60,
        // A tab after the type's is part of the content.
        records: [{ content: '"a b\\" c" "d\\\\e"' }, { content: '"x\\010y\ttab kept"' }],
      },
    ]);
  });

  it('regroups an export listed in another order, so one name and type is still one rrset', () => {
    const shuffled = [
      'b.ex.test.\t60\tIN\tA\t10.0.0.2',
      'a.ex.test.\t60\tIN\tA\t10.0.0.1',
      'b.ex.test.\t60\tIN\tA\t10.0.0.3',
    ];
    expect(parseZoneExport(shuffled.join('\n'))).toEqual([
      { name: 'b.ex.test.', type: 'A', ttl: 60, records: [{ content: '10.0.0.2' }, { content: '10.0.0.3' }] },
      { name: 'a.ex.test.', type: 'A', ttl: 60, records: [{ content: '10.0.0.1' }] },
    ]);
  });

  it('takes CRLF line ends, blank lines and no final newline', () => {
    expect(parseZoneExport('a.ex.test.\t60\tIN\tA\t1.2.3.4\r\n\r\nb.ex.test.\t60\tIN\tA\t1.2.3.5')).toEqual([
      { name: 'a.ex.test.', type: 'A', ttl: 60, records: [{ content: '1.2.3.4' }] },
      { name: 'b.ex.test.', type: 'A', ttl: 60, records: [{ content: '1.2.3.5' }] },
    ]);
    expect(parseZoneExport('')).toEqual([]);
  });

  it.each([
    ['too few fields', 'a.ex.test.\t60\tIN\tA'],
    ['space separated', 'a.ex.test. 60 IN A 1.2.3.4'],
    ['another class', 'a.ex.test.\t60\tCH\tA\t1.2.3.4'],
    ['a TTL that is not a number', 'a.ex.test.\tsixty\tIN\tA\t1.2.3.4'],
    ['an empty TTL', 'a.ex.test.\t\tIN\tA\t1.2.3.4'],
    ['an empty name', '\t60\tIN\tA\t1.2.3.4'],
  ])('refuses a line with %s, naming the line', (_what, line) => {
    const text = `ok.ex.test.\t60\tIN\tA\t1.2.3.4\n${line}\n`;
    expect(() => parseZoneExport(text)).toThrow(ZoneExportFormatError);
    expect(() => parseZoneExport(text)).toThrow(/line 2/);
  });
});
