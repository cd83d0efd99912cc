import fc from 'fast-check';
import { InvalidTargetError, TARGET_CODECS, ipv4Text } from './record-target.codec.js';

/** Rdata with its length in front, as it sits in a message. */
function wire(rdata: Buffer): Buffer {
  return Buffer.concat([Buffer.from([rdata.length >> 8, rdata.length & 0xff]), rdata]);
}

describe('record targets: canonical text ⇄ rdata', () => {
  it.each([
    ['A', ' 192.0.2.1 ', '192.0.2.1'],
    ['AAAA', '2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['AAAA', '2001:db8:0:1:0:0:0:0', '2001:db8:0:1::'],
    ['AAAA', '::ffff:192.0.2.1', '::ffff:c000:201'],
    ['AAAA', '2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['AAAA', '2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['CNAME', 'Target.Example.NET.', 'target.example.net'],
    ['NS', 'ns1.example.net', 'ns1.example.net'],
    ['PTR', 'host.example.com.', 'host.example.com'],
    ['DNAME', 'example.net.', 'example.net'],
    ['MX', '10   Mail.Example.com.', '10 mail.example.com'],
    ['SRV', '10 60 5060 sip.example.com.', '10 60 5060 sip.example.com'],
    ['SRV', '0 0 0 .', '0 0 0 .'],
    ['NAPTR', '100 10 "S" "SIP+D2U" "" _sip._udp.example.com.', '100 10 "S" "SIP+D2U" "" _sip._udp.example.com'],
    [
      'NAPTR',
      '100 50 "u" "E2U+sip" "!^.*$!sip:info@example.com!" .',
      '100 50 "u" "E2U+sip" "!^.*$!sip:info@example.com!" .',
    ],
    ['CAA', '0 ISSUE letsencrypt.org', '0 issue "letsencrypt.org"'],
    ['CAA', '128 iodef "mailto:sec@example.com"', '128 iodef "mailto:sec@example.com"'],
    ['TXT', 'v=spf1 -all', '"v=spf1 -all"'],
    ['TXT', '"heritage=external-dns,external-dns/owner=default"', '"heritage=external-dns,external-dns/owner=default"'],
    ['TXT', '"a" "b"', '"ab"'],
    ['TXT', 'say "hi" \\o/', '"say \\"hi\\" \\\\o/"'],
  ])('%s %j is written as %j and read back the same', (type, target, canonical) => {
    const codec = TARGET_CODECS[type]!;
    expect(codec.canonical(target)).toBe(canonical);
    expect(codec.canonical(canonical)).toBe(canonical);
    expect(codec.fromWire(wire(codec.toRdata(canonical)), 0)).toBe(canonical);
  });

  it('splits TXT values into 255-byte strings, never inside a UTF-8 character, and joins them back', () => {
    const value = 'é'.repeat(200) + 'x'.repeat(300);
    const codec = TARGET_CODECS.TXT!;
    const rdata = codec.toRdata(codec.canonical(value));
    const lengths: number[] = [];
    for (let i = 0; i < rdata.length; i += 1 + rdata[i]!) lengths.push(rdata[i]!);
    expect(lengths.every((n) => n <= 255)).toBe(true);
    expect(lengths.reduce((a, b) => a + b, 0)).toBe(Buffer.byteLength(value));
    expect(codec.fromWire(wire(rdata), 0)).toBe(`"${value}"`);
  });

  it.each([
    ['A', '300.1.1.1'],
    ['A', 'example.com'],
    ['AAAA', '192.0.2.1'],
    ['CNAME', 'a..b'],
    ['CNAME', `${'x'.repeat(64)}.example.com`],
    ['MX', 'mail.example.com'],
    ['MX', '70000 mail.example.com'],
    ['SRV', '1 2 mail.example.com'],
    ['NAPTR', '100 10 S SIP'],
    ['CAA', '0 "issue" x'],
    ['TXT', 'x'.repeat(16_001)],
  ])('refuses %s %j', (type, target) => {
    expect(() => TARGET_CODECS[type]!.canonical(target)).toThrow(InvalidTargetError);
  });
});

describe('ipv4Text', () => {
  it('is the dotted quad of any four octets, at any offset, and reads back as the same rdata', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.nat(8), (octets, padding) => {
        const message = Buffer.concat([Buffer.alloc(padding), wire(Buffer.from(octets))]);
        const text = ipv4Text(message, padding);
        expect(text).toBe(Array.from(octets).join('.'));
        expect(TARGET_CODECS.A!.toRdata(TARGET_CODECS.A!.canonical(text))).toEqual(Buffer.from(octets));
      }),
      { numRuns: 2000 },
    );
  });
});
