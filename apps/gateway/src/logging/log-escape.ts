/**
 * Control characters (C0, DEL, C1) and the Unicode line and paragraph
 * separators. A request value carrying one of them could end a log line and
 * start a forged one, or drive a terminal; none belongs in a log message.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE_IN_LOG = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

const NAMED_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `text` on one line, every unsafe character written as a visible escape (`\n`, `\x1b`, `\u2028`). */
export function escapeLogText(text: string): string {
  return text.replace(UNSAFE_IN_LOG, (char) => {
    const named = NAMED_ESCAPES[char];
    if (named) return named;
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
  });
}

/**
 * A stack trace keeps its own line breaks (before each `at` frame), while
 * its message lines, which may carry request values, are escaped like any message.
 */
export function escapeStackTrace(stack: string): string {
  const lines = stack.split('\n');
  let result = escapeLogText(lines[0]!);
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    result += /^\s+at /.test(line) ? `\n${escapeLogText(line)}` : `\\n${escapeLogText(line)}`;
  }
  return result;
}
