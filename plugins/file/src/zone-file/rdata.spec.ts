import { canonicalTarget, parseTtl, presentationFromTarget, targetFromTokens } from './rdata.js';
import { InvalidRecordError } from './zone-file.errors.js';
import { decodeCharacterString, encodeCharacterString, tokenizeZoneFile } from './zone-file.tokenizer.js';

/** What the parser makes of the written presentation: the round trip the plugin relies on. */
function readBack(type: string, presentation: string): string {
  const [entry] = tokenizeZoneFile(`x ${type} ${presentation}\n`);
  return targetFromTokens(type, entry!.tokens.slice(2), 'example.com');
}

describe('canonicalTarget', () => {
  it.each([
    ['A', '192.0.2.1', '192.0.2.1'],
    ['AAAA', '2001:0DB8:0:0:0:0:0:0001', '2001:db8::1'],
    ['CNAME', 'WWW.Example.NET.', 'www.example.net'],
    ['MX', '10   Mail.example.net.', '10 mail.example.net'],
    ['MX', '0 .', '0 .'],
    ['SRV', '10 5 5060 sip.example.net', '10 5 5060 sip.example.net'],
    ['NAPTR', '100 10 S "SIP+D2U" "!^.*$!sip:a@b!" .', '100 10 "S" "SIP+D2U" "!^.*$!sip:a@b!" .'],
    ['CAA', '0 ISSUE "letsencrypt.org"', '0 issue "letsencrypt.org"'],
    ['TXT', 'plain value', '"plain value"'],
    ['TXT', '"heritage=external-dns,external-dns/owner=default"', '"heritage=external-dns,external-dns/owner=default"'],
    ['TXT', '"a" "b"', '"ab"'],
    ['TXT', 'back\\slash "q"', '"back\\\\slash \\"q\\""'],
  ])('%s %j → %j, and the written form reads back the same', (type, input, expected) => {
    const canonical = canonicalTarget(type, input);
    expect(canonical).toBe(expected);
    expect(canonicalTarget(type, canonical)).toBe(canonical);
    expect(readBack(type, presentationFromTarget(type, canonical))).toBe(canonical);
  });

  it.each([
    ['A', '192.0.2.1 ; x'],
    ['A', '::1'],
    ['AAAA', '192.0.2.1'],
    ['CNAME', 'a b'],
    ['CNAME', 'a;b'],
    ['CNAME', '$ORIGIN'],
    ['CNAME', 'a(b'],
    ['MX', '70000 mail.example.net'],
    ['MX', 'mail.example.net'],
    ['SRV', '1 2 3'],
    ['NAPTR', '1 1 "S" "x" "y\n" .'],
    ['CAA', '0 is-sue "x"'],
    ['CAA', '256 issue "x"'],
    ['NS', 'ns1.example.net\nevil'],
  ])('refuses %s %j', (type, input) => {
    expect(() => canonicalTarget(type, input)).toThrow(InvalidRecordError);
  });
});

describe('character-strings', () => {
  it('escapes everything that could end a string or a line', () => {
    expect(encodeCharacterString('a"b\\c;d\ne\u00e9')).toBe('"a\\"b\\\\c;d\\010e\\195\\169"');
    expect(decodeCharacterString({ raw: encodeCharacterString('a"b\\c;d\ne\u00e9'), quoted: true })).toBe(
      'a"b\\c;d\ne\u00e9',
    );
  });

  it('splits a long TXT value into strings of at most 255 bytes', () => {
    const written = presentationFromTarget('TXT', `"${'x'.repeat(600)}"`);
    expect(written.split(' ').map((s) => s.length - 2)).toEqual([255, 255, 90]);
  });
});

describe('parseTtl', () => {
  it('reads BIND units', () => {
    expect(parseTtl('300')).toBe(300);
    expect(parseTtl('1h30m')).toBe(5400);
    expect(parseTtl('2W')).toBe(1209600);
    expect(() => parseTtl('1x')).toThrow(InvalidRecordError);
  });
});
