import { canonicalTxtTarget, parseQuotedStrings, splitTxtValue, txtTargetValue } from './txt.js';

describe('TXT targets', () => {
  it('gives quoted and unquoted forms one canonical target', () => {
    const registry = '"heritage=external-dns,external-dns/owner=default"';
    expect(canonicalTxtTarget(registry)).toBe(registry);
    expect(canonicalTxtTarget('heritage=external-dns,external-dns/owner=default')).toBe(registry);
    expect(canonicalTxtTarget(canonicalTxtTarget('say "hi" \\o/'))).toBe('"say \\"hi\\" \\\\o/"');
  });

  it('joins several quoted strings and decodes escapes', () => {
    expect(txtTargetValue('"abc" "def"')).toBe('abcdef');
    expect(parseQuotedStrings('"a\\"b" "\\065"')).toEqual(['a"b', 'A']);
    expect(parseQuotedStrings('"unterminated')).toBeUndefined();
  });

  it('splits long values into strings of at most 255 bytes, not inside a character', () => {
    const value = 'x'.repeat(300) + 'é'.repeat(200);
    const parts = splitTxtValue(value);
    expect(parts.join('')).toBe(value);
    for (const part of parts) expect(Buffer.byteLength(part)).toBeLessThanOrEqual(255);
    expect(parts.length).toBe(3);
  });
});
