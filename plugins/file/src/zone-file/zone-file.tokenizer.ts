import { ZoneFileSyntaxError } from './zone-file.errors.js';

/** One field of a master-file line. */
export interface ZoneToken {
  /** The text as written in the file, quotes and escapes included. */
  raw: string;
  /** True for a `"…"` character-string. */
  quoted: boolean;
}

/** One logical entry: a line, or several lines joined by parentheses. */
export interface ZoneLine {
  /** 1-based line where the entry starts, for error messages. */
  line: number;
  /** The entry started with blank space: the owner is the previous one (RFC 1035 §5.1). */
  ownerOmitted: boolean;
  tokens: ZoneToken[];
}

const BLANK = new Set([' ', '\t', '\r']);

/**
 * Splits master-file text into logical entries the way BIND reads it:
 * `;` comments, parentheses that join lines, quoted strings (which may hold
 * `;`, parentheses and escaped quotes), and backslash escapes in unquoted
 * fields. Blank entries are dropped.
 */
export function tokenizeZoneFile(text: string, fileName = 'zone file'): ZoneLine[] {
  const entries: ZoneLine[] = [];
  let line = 1;
  let depth = 0;
  let openedAt = 0;
  let current: ZoneLine | undefined;
  let atLineStart = true;
  let i = 0;

  const fail = (message: string): never => {
    throw new ZoneFileSyntaxError(`${fileName}:${line}: ${message}`);
  };
  const finishEntry = (): void => {
    if (current && current.tokens.length > 0) entries.push(current);
    current = undefined;
  };
  const entry = (ownerOmitted: boolean): ZoneLine => {
    current ??= { line, ownerOmitted, tokens: [] };
    return current;
  };

  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      if (depth === 0) finishEntry();
      line++;
      atLineStart = true;
      i++;
      continue;
    }
    if (BLANK.has(c)) {
      if (atLineStart && depth === 0) entry(true);
      atLineStart = false;
      i++;
      continue;
    }
    const startsLine = atLineStart && depth === 0;
    atLineStart = false;
    if (c === ';') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c === '(') {
      entry(startsLine ? false : (current?.ownerOmitted ?? false));
      if (depth === 0) openedAt = line;
      depth++;
      i++;
      continue;
    }
    if (c === ')') {
      if (depth === 0) fail('")" without a matching "("');
      depth--;
      i++;
      continue;
    }
    const target = entry(startsLine ? false : (current?.ownerOmitted ?? false));
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\n') fail('newline inside a quoted string');
        j += text[j] === '\\' ? 2 : 1;
      }
      if (j >= text.length) fail('unterminated quoted string');
      target.tokens.push({ raw: text.slice(i, j + 1), quoted: true });
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < text.length) {
      const d = text[j]!;
      if (d === '\\') {
        if (j + 1 >= text.length || text[j + 1] === '\n') fail('backslash at the end of a line');
        j += 2;
        continue;
      }
      if (d === '\n' || BLANK.has(d) || d === ';' || d === '(' || d === ')' || d === '"') break;
      j++;
    }
    target.tokens.push({ raw: text.slice(i, j), quoted: false });
    i = j;
  }
  if (depth !== 0) {
    line = openedAt;
    fail('unclosed "(" (no ")" before the end of the file)');
  }
  finishEntry();
  return entries;
}

/**
 * The bytes a character-string field stands for, as text: quotes removed,
 * `\X` → X, `\DDD` → the byte DDD (decoded as UTF-8 at the end).
 */
export function decodeCharacterString(token: ZoneToken): string {
  const body = token.quoted ? token.raw.slice(1, -1) : token.raw;
  const bytes: number[] = [];
  for (let i = 0; i < body.length;) {
    const c = body[i]!;
    if (c === '\\') {
      const digits = body.slice(i + 1, i + 4);
      if (/^\d{3}$/.test(digits)) {
        const value = Number(digits);
        if (value > 255) throw new ZoneFileSyntaxError(`escape \\${digits} is not a byte`);
        bytes.push(value);
        i += 4;
      } else {
        const next = String.fromCodePoint(body.codePointAt(i + 1)!);
        bytes.push(...Buffer.from(next));
        i += 1 + next.length;
      }
      continue;
    }
    const char = String.fromCodePoint(body.codePointAt(i)!);
    bytes.push(...Buffer.from(char));
    i += char.length;
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * A character-string in presentation form that a master-file reader cannot
 * misread: always quoted; `"` and `\` escaped; control characters, DEL and
 * every non-ASCII byte as `\DDD`, so no newline or `;` can ever end the
 * string or the line early.
 */
export function encodeCharacterString(value: string): string {
  let out = '"';
  for (const byte of Buffer.from(value, 'utf8')) {
    if (byte === 0x22 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte < 0x20 || byte >= 0x7f) out += `\\${String(byte).padStart(3, '0')}`;
    else out += String.fromCharCode(byte);
  }
  return `${out}"`;
}
