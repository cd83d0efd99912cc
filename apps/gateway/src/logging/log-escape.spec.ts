import { escapeLogText, escapeStackTrace } from './log-escape.js';

describe('escapeLogText', () => {
  it('writes line breaks, terminal escapes and Unicode separators as visible escapes', () => {
    expect(escapeLogText('a\nb\r\tc\u001b[2Kd\u0000\u007f\u0085\u2028\u2029')).toBe(
      'a\\nb\\r\\tc\\x1b[2Kd\\x00\\x7f\\x85\\u2028\\u2029',
    );
  });

  it('leaves ordinary text, including non-ASCII names, alone', () => {
    expect(escapeLogText('bücher.example.org "quoted" ✓')).toBe('bücher.example.org "quoted" ✓');
  });
});

describe('escapeStackTrace', () => {
  it('keeps the breaks before frames and escapes those inside the message', () => {
    const stack = 'Error: bad name x\n[Nest] forged\n    at f (a.js:1:1)\n    at g (b.js:2:2)';
    expect(escapeStackTrace(stack)).toBe('Error: bad name x\\n[Nest] forged\n    at f (a.js:1:1)\n    at g (b.js:2:2)');
  });
});
