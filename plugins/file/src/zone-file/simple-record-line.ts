import { isStructuredType, targetFromTokens } from './rdata.js';
import { InvalidRecordError } from './zone-file.errors.js';
import type { ZoneToken } from './zone-file.tokenizer.js';

const SPACE = 0x20;
const TAB = 0x09;
const DOT = 0x2e;
const AT = 0x40;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const UPPER_A = 0x41;
const UPPER_Z = 0x5a;
const LOWER_I = 0x69;
const LOWER_N = 0x6e;
const UPPER_I = 0x49;
const UPPER_N = 0x4e;

/** Most fields a simple line has: owner, TTL, class, type and up to 8 rdata fields (SRV has 4, SOA 7). */
const MAX_FIELDS = 12;
const MAX_TTL = 0x7fffffff;

/** What `readSimpleRecordLine` read: the caller turns it into a record with the parser's TTL rules. */
export interface SimpleRecordLine {
  /** Absolute owner, lower case, no trailing dot; undefined when the line started with blank space. */
  owner: string | undefined;
  /** The TTL written on the line, if any. */
  ttl: number | undefined;
  type: string;
  /** The canonical target (`targetFromTokens`). */
  data: string;
}

/**
 * Reads one master-file line of the common shape, `[owner] [ttl] [IN] type
 * rdata…`, all on that line, in one scan of character codes: no quotes,
 * parentheses, comments, escapes, `$` directives, control characters or
 * TTL units, the class `IN` or none, a type whose rdata `rdata.ts`
 * understands and that rdata valid. It returns undefined for every other
 * line (and for a blank one, `blank` says so), and the general tokenizer and
 * parser read it: they decide what such a line means, including every error,
 * so this function only has to agree with them on the lines it takes (the
 * property test in its spec holds it to that).
 *
 * The general path tokenizes each field into a string, upper-cases the
 * class and type, tests them against a set and a regular expression and
 * resolves the owner through a lower-casing copy. Here only the strings a
 * record keeps are made. Parsing a 100k-record file of A records went from
 * 215 to 160 ms of CPU (median of 11, each side in its own process; wall
 * time 289 to 193 ms, median of 9), Node 20, this project's 2-core machine
 * under other engineers' load.
 */
export class SimpleRecordLineReader {
  private readonly starts = new Int32Array(MAX_FIELDS);
  private readonly ends = new Int32Array(MAX_FIELDS);
  private readonly data: ZoneToken[] = [];
  /** The rdata tokens, reused from line to line (`targetFromTokens` keeps none of them). */
  private readonly pool: ZoneToken[] = [];
  private readonly read: SimpleRecordLine = { owner: undefined, ttl: undefined, type: '', data: '' };
  /** Set by `readLine` when the line held nothing but blank space. */
  blank = false;

  /**
   * The record on `text[start, end)` (`end` is the line's `\n` or the end of
   * the text), read under `origin`; undefined when the general parser must
   * read the line. The result is reused by the next call.
   */
  readLine(text: string, start: number, end: number, origin: string): SimpleRecordLine | undefined {
    this.blank = false;
    const starts = this.starts;
    const ends = this.ends;
    let count = 0;
    let upperInOwner = false;
    let i = start;
    while (i < end) {
      let c = text.charCodeAt(i);
      if (c === SPACE || c === TAB) {
        i++;
        continue;
      }
      if (count === MAX_FIELDS) return undefined;
      starts[count] = i;
      while (i < end) {
        c = text.charCodeAt(i);
        if (c === SPACE || c === TAB) break;
        if (!isPlainFieldCode(c)) return undefined;
        if (count === 0 && c >= UPPER_A && c <= UPPER_Z) upperInOwner = true;
        i++;
      }
      ends[count++] = i;
    }
    if (count === 0) {
      this.blank = true;
      return undefined;
    }
    const ownerOmitted = starts[0] !== start;
    let next = 0;
    let owner: string | undefined;
    if (!ownerOmitted) {
      owner = ownerName(text, starts[0]!, ends[0]!, origin, upperInOwner);
      next = 1;
    }
    let ttl: number | undefined;
    let type: string | undefined;
    while (next < count && type === undefined) {
      const from = starts[next]!;
      const to = ends[next++]!;
      const first = text.charCodeAt(from);
      if (first >= DIGIT_0 && first <= DIGIT_9) {
        // A TTL (a second one, or one with units, is the general parser's to judge).
        if (ttl !== undefined) return undefined;
        const value = digitsValue(text, from, to);
        if (value === undefined || value > MAX_TTL) return undefined;
        ttl = value;
      } else if (to - from === 2 && isIn(text, from)) {
        continue;
      } else {
        type = upperCaseType(text, from, to);
        if (type === undefined) return undefined;
      }
    }
    if (type === undefined || next === count || type === 'SOA' || !isStructuredType(type)) return undefined;
    const tokens = this.data;
    tokens.length = count - next;
    for (let f = next; f < count; f++) {
      const raw = text.slice(starts[f]!, ends[f]!);
      const token = this.pool[f - next];
      if (token === undefined) tokens[f - next] = this.pool[f - next] = { raw, quoted: false };
      else {
        token.raw = raw;
        tokens[f - next] = token;
      }
    }
    let data: string;
    try {
      data = targetFromTokens(type, tokens, origin, 0);
    } catch (error) {
      // Kept verbatim by the general parser, which also decides whether that is an error.
      if (error instanceof InvalidRecordError) return undefined;
      throw error;
    }
    const read = this.read;
    read.owner = owner;
    read.ttl = ttl;
    read.type = type;
    read.data = data;
    return read;
  }
}

/**
 * A character an unquoted field may hold without the general tokenizer
 * reading it specially: printable ASCII other than `"();\$` (any non-ASCII
 * character is left to the general path too).
 */
function isPlainFieldCode(code: number): boolean {
  if (code <= 0x20 || code >= 0x7f) return false;
  return code !== 0x22 && code !== 0x28 && code !== 0x29 && code !== 0x3b && code !== 0x5c && code !== 0x24;
}

/** `resolveZoneName` of a field without escapes, lower-casing only when it has an upper-case letter. */
function ownerName(text: string, from: number, to: number, origin: string, upper: boolean): string {
  if (to - from === 1) {
    const c = text.charCodeAt(from);
    if (c === AT) return origin;
    if (c === DOT) return '.';
  }
  const absolute = text.charCodeAt(to - 1) === DOT;
  const raw = text.slice(from, absolute ? to - 1 : to);
  const name = absolute || origin === '' || origin === '.' ? raw : `${raw}.${origin}`;
  return upper ? name.toLowerCase() : flattened(name);
}

/**
 * `text` with its characters in one piece. A concatenation is a rope (a
 * ConsString in V8) until something reads its characters; an owner name is
 * read by every listing (suffix checks, sorting, JSON), and flattening it
 * then, once it is old, cost 59 ms per 100k names against 2 ms right after
 * it was made (median of 9, Node 20). Reading one character flattens it.
 */
export function flattened(text: string): string {
  text.charCodeAt(0);
  return text;
}

function digitsValue(text: string, from: number, to: number): number | undefined {
  if (to - from > 10) return undefined;
  let value = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < DIGIT_0 || c > DIGIT_9) return undefined;
    value = value * 10 + (c - DIGIT_0);
  }
  return value;
}

function isIn(text: string, from: number): boolean {
  const a = text.charCodeAt(from);
  const b = text.charCodeAt(from + 1);
  return (a === UPPER_I || a === LOWER_I) && (b === UPPER_N || b === LOWER_N);
}

/** The type mnemonic in upper case, or undefined when the field is not a plain one of letters and digits. */
function upperCaseType(text: string, from: number, to: number): string | undefined {
  let lower = false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i) | 0x20;
    if (!((c >= 0x61 && c <= 0x7a) || (c >= DIGIT_0 && c <= DIGIT_9))) return undefined;
    if (text.charCodeAt(i) >= 0x61) lower = true;
  }
  const type = text.slice(from, to);
  return lower ? type.toUpperCase() : type;
}
