import { parseZoneFile } from './zone-file.parser.js';
import { writeZoneFile, zoneFileBytes } from './zone-file.writer.js';
import { ZoneFileSyntaxError } from './zone-file.errors.js';

const odd = `$TTL 1h
@ IN SOA localhost. hostmaster.example.com. ( 7 ; serial
  3600 600 1209600 300 )
  IN NS localhost.
www 300 A 1.2.3.4
 A 1.2.3.5
WWW2.example.com. IN 60 AAAA 2001:0DB8:0:0::1
txt TXT "a\\"b;c" "\\065\\\\x" ( "second" )
caa CAA 0 Issue "letsencrypt.org"
naptr NAPTR 100 10 "S" "SIP+D2U" "!^.*$!sip:info@example.com!" _sip._udp.example.com.
_sip._tcp SRV 0 5 5060 sip ; relative target
mx MX 10 mail
hinfo HINFO "PC" "Linux"
$ORIGIN sub.example.com.
alias CNAME @
`;

describe('parseZoneFile', () => {
  const zone = parseZoneFile(odd, { origin: 'Example.com.' });
  const find = (name: string, type: string) => zone.records.filter((r) => r.name === name && r.type === type);

  it('reads SOA across parentheses with a comment inside', () => {
    expect(find('example.com', 'SOA')[0]?.data).toBe('localhost hostmaster.example.com 7 3600 600 1209600 300');
  });

  it('gives an omitted owner the previous one and $TTL or the written TTL', () => {
    expect(find('example.com', 'NS')[0]).toMatchObject({ data: 'localhost', ttl: 3600 });
    expect(find('www.example.com', 'A').map((r) => [r.data, r.ttl])).toEqual([
      ['1.2.3.4', 300],
      ['1.2.3.5', 3600],
    ]);
  });

  it('accepts class before TTL, upper-case names and canonicalises IPv6', () => {
    expect(find('www2.example.com', 'AAAA')[0]).toMatchObject({ data: '2001:db8::1', ttl: 60 });
  });

  it('joins TXT strings and decodes escapes, including \\DDD', () => {
    expect(find('txt.example.com', 'TXT')[0]?.data).toBe('"a\\"b;cA\\\\xsecond"');
  });

  it('resolves relative names in rdata and after $ORIGIN', () => {
    expect(find('_sip._tcp.example.com', 'SRV')[0]?.data).toBe('0 5 5060 sip.example.com');
    expect(find('mx.example.com', 'MX')[0]?.data).toBe('10 mail.example.com');
    expect(find('alias.sub.example.com', 'CNAME')[0]?.data).toBe('sub.example.com');
    expect(find('caa.example.com', 'CAA')[0]?.data).toBe('0 issue "letsencrypt.org"');
    expect(find('naptr.example.com', 'NAPTR')[0]?.data).toBe(
      '100 10 "S" "SIP+D2U" "!^.*$!sip:info@example.com!" _sip._udp.example.com',
    );
  });

  it('keeps unknown types verbatim', () => {
    expect(find('hinfo.example.com', 'HINFO')[0]).toMatchObject({ data: '"PC" "Linux"', verbatim: true });
  });

  it('writes a file that parses back to the same records', () => {
    const text = writeZoneFile(zone, 300);
    const again = parseZoneFile(text, { origin: 'example.com' });
    const key = (r: { name: string; type: string; data: string; ttl: number }) =>
      `${r.name} ${r.ttl} ${r.type} ${r.data}`;
    expect(again.records.map(key).sort()).toEqual(zone.records.map(key).sort());
    expect(writeZoneFile(again, 300)).toBe(text);
  });

  it.each([
    ['$INCLUDE other.zone', /not supported/],
    ['www A 1.2.3.4 (', /unclosed/],
    ['www TXT "open', /unterminated/],
    [' A 1.2.3.4', /without an owner/],
    ['www CH A 1.2.3.4', /class CH/],
    ['@ SOA a', /invalid SOA/],
  ])('refuses %j', (text, message) => {
    expect(() => parseZoneFile(text, { origin: 'example.com' })).toThrow(ZoneFileSyntaxError);
    expect(() => parseZoneFile(text, { origin: 'example.com' })).toThrow(message);
  });
});

describe('zoneFileBytes', () => {
  const zone = parseZoneFile(
    '$ORIGIN example.com.\n@ 3600 IN SOA ns1 hostmaster 1 3600 600 1209600 300\nwww 300 IN TXT "caf\\195\\169"\n' +
      Array.from({ length: 3000 }, (_, i) => `h${i} 300 IN A 192.0.2.${i % 250}`).join('\n'),
    { origin: 'example.com' },
  );

  it('gives the same bytes whatever size it is told to expect', () => {
    const text = writeZoneFile(zone, 300);
    for (const sizeHint of [undefined, 0, 10, text.length, text.length * 4]) {
      expect(zoneFileBytes(zone, 300, { sizeHint }).toString('utf8')).toBe(text);
    }
    expect(text).toContain('"caf\\195\\169"');
  });
});
