import { decodeJson, isBlank } from './json-bytes.js';

const TEXTS = [
  ['ASCII', '[{"dnsName":"www.example.org","targets":["\\"v=spf1 -all\\""]}]'],
  ['Latin-1 characters', '{"t":"café ÿ"}'],
  ['characters beyond Latin-1', '{"t":"bücher.ελ Ł"}'],
  ['a surrogate pair', '{"t":"😀"}'],
  ['an empty text', ''],
];

describe('decodeJson', () => {
  it.each(TEXTS)('gives back the text of the UTF-8 bytes of %s', (_what, text) => {
    expect(decodeJson(Buffer.from(text, 'utf8'))).toBe(text);
  });

  it('decodes bytes that are not UTF-8 as UTF-8 decoding does', () => {
    const bytes = Buffer.from([0x7b, 0x22, 0xff, 0xc3, 0x22, 0x7d]);
    expect(decodeJson(bytes)).toBe(bytes.toString('utf8'));
  });
});

describe('isBlank', () => {
  it.each([
    ['', true],
    [' \t\r\n', true],
    [' null ', false],
    ['\u00a0', false],
  ])('%j: %s', (text, blank) => {
    expect(isBlank(Buffer.from(text, 'utf8'))).toBe(blank);
  });
});
