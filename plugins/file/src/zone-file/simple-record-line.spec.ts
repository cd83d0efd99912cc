import fc from 'fast-check';
import { SimpleRecordLineReader, flattened } from './simple-record-line.js';
import { parseZoneFile } from './zone-file.parser.js';

function readOne(line: string, origin = 'example.com') {
  const reader = new SimpleRecordLineReader();
  const read = reader.readLine(line, 0, line.length, origin);
  return { read: read && { ...read }, blank: reader.blank };
}

describe('SimpleRecordLineReader', () => {
  it.each([
    ['www 300 IN A 192.0.2.1', { owner: 'www.example.com', ttl: 300, type: 'A', data: '192.0.2.1' }],
    ['www\t300\tIN\tA\t192.0.2.1', { owner: 'www.example.com', ttl: 300, type: 'A', data: '192.0.2.1' }],
    ['WWW.Example.NET. in a 192.0.2.1', { owner: 'www.example.net', ttl: undefined, type: 'A', data: '192.0.2.1' }],
    ['@ 60 AAAA 2001:DB8::0:1', { owner: 'example.com', ttl: 60, type: 'AAAA', data: '2001:db8::1' }],
    ['  IN 5 CNAME Target', { owner: undefined, ttl: 5, type: 'CNAME', data: 'target.example.com' }],
    [
      'mx MX 10 mail.example.net.',
      { owner: 'mx.example.com', ttl: undefined, type: 'MX', data: '10 mail.example.net' },
    ],
  ])('reads %j', (line, expected) => {
    expect(readOne(line).read).toEqual(expected);
  });

  it.each([
    ['a directive', '$TTL 300'],
    ['a comment', 'www A 192.0.2.1 ; home'],
    ['a quoted string', 'txt TXT "hello"'],
    ['parentheses', '@ SOA ns hostmaster ( 1 2 3 4 5 )'],
    ['an escape', 'a\\.b A 192.0.2.1'],
    ['a TTL with units', 'www 1h A 192.0.2.1'],
    ['another class', 'www CH A 192.0.2.1'],
    ['a type kept verbatim', 'host HINFO PC Linux'],
    ['the SOA', '@ SOA ns hostmaster 1 2 3 4 5'],
    ['invalid rdata', 'www A 300.0.0.1'],
    ['no rdata', 'www A'],
    ['a carriage return', 'www A 192.0.2.1\r'],
    ['a non-ASCII character', 'wéb A 192.0.2.1'],
    ['a TTL too large', 'www 4294967296 A 192.0.2.1'],
  ])('leaves a line with %s to the general parser', (_what, line) => {
    expect(readOne(line)).toEqual({ read: undefined, blank: false });
  });

  it('says when a line is blank', () => {
    expect(readOne(' \t ')).toEqual({ read: undefined, blank: true });
  });

  // The fast path must never change what a file means: any text parses to the same records,
  // or fails with the same error, with and without it.
  const owners = fc.constantFrom('www', 'WWW', '@', 'a.b', 'host.example.com.', 'Mixed.Case.', '*', '_sip._tcp', '.');
  const ttls = fc.constantFrom('', '300', '0', '1h', '2147483647', '2147483648', '007', '60 300');
  const classes = fc.constantFrom('', 'IN', 'in', 'CH');
  const typed = fc.constantFrom(
    'A 192.0.2.1',
    'a 10.0.0.1',
    'A 999.0.0.1',
    'AAAA 2001:DB8:0::1',
    'AAAA nope',
    'CNAME target',
    'CNAME Target.Example.NET.',
    'NS ns1',
    'PTR host.',
    'MX 10 mail',
    'MX 70000 mail',
    'SRV 0 5 5060 sip',
    'TXT plain',
    'TXT "quoted ; text"',
    'CAA 0 issue "ca.example"',
    'HINFO PC Linux',
    'TYPE65534 \\# 1 00',
    'A',
    'A 192.0.2.1 ; comment',
    'A ( 192.0.2.2 )',
  );
  const blank = fc.constantFrom(' ', '\t', '  ', ' \t');
  const record = fc
    .tuple(fc.boolean(), owners, ttls, classes, typed, blank)
    .map(([omit, owner, ttl, klass, rest, sep]) =>
      [omit ? '' : owner, ttl, klass, rest].filter((part, i) => i === 0 || part !== '').join(sep),
    );
  const omitted = fc.tuple(blank, ttls, typed).map(([sep, ttl, rest]) => `${sep}${ttl}${ttl ? sep : ''}${rest}`);
  const other = fc.constantFrom(
    '$TTL 600',
    '$TTL 1d',
    '$ORIGIN sub.example.com.',
    '$ORIGIN Other.',
    '; a comment',
    '',
    '   ',
    '@ 3600 IN SOA ns1 hostmaster ( 1 3600 600 1209600 300 )',
    '@ IN SOA ns1 hostmaster 2 3600 600 1209600 300',
    'www A 192.0.2.9\r',
    '$INCLUDE other',
    'x ) A 192.0.2.1',
  );
  const zoneText = fc
    .array(
      fc.oneof({ weight: 4, arbitrary: record }, { weight: 1, arbitrary: omitted }, { weight: 2, arbitrary: other }),
      {
        maxLength: 25,
      },
    )
    .map((lines) => `${lines.join('\n')}${lines.length % 2 === 0 ? '\n' : ''}`);

  const outcome = (text: string, simpleLines: boolean) => {
    try {
      return { records: parseZoneFile(text, { origin: 'example.com', defaultTtl: 120, simpleLines }).records };
    } catch (error) {
      return { error: (error as Error).message };
    }
  };

  it('parses every text as the general parser does (property)', () => {
    fc.assert(
      fc.property(zoneText, (text) => {
        expect(outcome(text, true)).toEqual(outcome(text, false));
      }),
      { numRuns: 2000 },
    );
  });

  it('takes the lines of a typical zone (so the property above tests the fast path, not only the fallback)', () => {
    const text = '$ORIGIN example.com.\n$TTL 300\nwww 300 IN A 192.0.2.1\n IN AAAA ::1\nmail MX 10 mx\n';
    const reader = new SimpleRecordLineReader();
    const taken = text.split('\n').filter((line) => reader.readLine(line, 0, line.length, 'example.com'));
    expect(taken).toEqual(['www 300 IN A 192.0.2.1', ' IN AAAA ::1', 'mail MX 10 mx']);
  });
});

describe('flattened', () => {
  it('returns the same text', () => {
    const rope = `${'host'.repeat(5)}.${'example'.repeat(3)}`;
    expect(flattened(rope)).toBe(rope);
    expect(flattened('')).toBe('');
  });
});
