import { ENDPOINT_KEYS, PROVIDER_SPECIFIC_KEYS } from './endpoint.dto.js';
import {
  CHANGES_KEYS,
  MAX_DESCRIBED_ENDPOINTS,
  WIRE_PROBLEMS,
  WireValidationError,
  endpointProblems,
} from './parse-wire.js';

/** Which webhook body the bytes should be: `POST /records` or `POST /adjustendpoints`. */
export type WireBodyKind = 'changes' | 'endpoints';

/**
 * The deepest nesting a body may have. The protocol's deepest value (a
 * provider-specific property's value in a list of Changes) is 5 levels
 * down; a 16-million-level `[[[…]]]` took JSON.parse 20 s.
 */
export const MAX_WIRE_DEPTH = 64;

/** A refused endpoint bigger than this is described in the scan's words rather than parsed for class-validator's. */
const DESCRIBE_BY_PARSING_BYTES = 64 * 1024;

export type WireBodyScan =
  /** Nothing certainly wrong: JSON.parse and the wire parser (parseChangesBody, parseEndpointsBody) decide. */
  | { verdict: 'parse' }
  /** Valid JSON the wire parser would refuse, with the error it would throw. */
  | { verdict: 'refuse'; error: WireValidationError }
  /** Not JSON, or nested deeper than MAX_WIRE_DEPTH. */
  | { verdict: 'unreadable'; message: string };

/**
 * Judges a webhook body from its bytes before anything is built from them.
 *
 * Why: JSON.parse materialises every value before the wire parser can look
 * at one, and a hostile body is mostly tiny values. 32 MiB of `[0,0,…]`
 * (16M numbers) took 2.7 s in JSON.parse alone and about 6.6 s end to end to
 * get its 400; `[{},{},…]` took 11 s and a 16M-deep `[[[…]]]` 20 s. This scan
 * walks the bytes once, allocating almost nothing: on this 2-core machine it
 * judges those 32 MiB bodies in about 0.1 s, and adds about 0.1 s to a
 * valid 32 MiB batch (200k endpoints) whose JSON.parse takes about 1 s.
 *
 * It refuses only what the wire parser certainly refuses (a body that is not
 * JSON, an item that is not an endpoint object, a field of the wrong type),
 * and describes the first refused endpoints in the wire parser's own words
 * by parsing just those (should the wire parser find nothing wrong with one,
 * the full parse decides). Duplicate
 * keys and Go's case-insensitive key spellings are resolved as JSON.parse and
 * canonicalizeKeys resolve them. `wire-body-scan.spec.ts` checks by property
 * that its verdict is the wire parser's.
 */
export function scanWireBody(bytes: Uint8Array, kind: WireBodyKind | undefined): WireBodyScan {
  const scanner = new WireScanner(bytes);
  try {
    scanner.skipWhitespace();
    let result: BodyResult | undefined;
    if (kind === 'endpoints') result = scanner.endpointsBody();
    else if (kind === 'changes') result = scanner.changesBody();
    else scanner.skipValue();
    scanner.skipWhitespace();
    if (scanner.position < bytes.length) scanner.fail('unexpected data after the JSON value');
    if (!result) return { verdict: 'parse' };
    const error = describe(result, bytes);
    return error ? { verdict: 'refuse', error } : { verdict: 'parse' };
  } catch (error) {
    if (error instanceof UnreadableBody) return { verdict: 'unreadable', message: error.message };
    throw error;
  }
}

class UnreadableBody extends Error {}

/** A refused endpoint: where it is and (for one too big to parse again) what the scan saw. */
interface RefusedEndpoint {
  at: string;
  start: number;
  end: number;
  problem: string;
}

/** The verdict of one endpoint list (or of one value where a list belongs). */
interface ListResult {
  length: number;
  /** The first MAX_DESCRIBED_ENDPOINTS refused endpoints, or the list's own problem. */
  refused: RefusedEndpoint[];
  refusedCount: number;
}

interface BodyResult {
  /** Problems above the endpoints (wrong top-level type, unpaired updates). */
  topProblem?: string;
  lists: ListResult[];
}

const OK = 0;
const BAD = 1;
type Verdict = typeof OK | typeof BAD;

/** One member of an object whose key is one of a known set (in any spelling Go accepts). */
interface KnownMember {
  canonical: number;
  exact: boolean;
  keyStart: number;
  keyEnd: number;
  verdict: Verdict;
  problem: string;
  list?: ListResult;
}

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;

const enum ValueType {
  String,
  EmptyString,
  Number,
  Literal,
  Null,
  Array,
  Object,
}

/** A set of keys matched as canonicalizeKeys matches them: exact spelling, else case-insensitively. */
class KeySet {
  readonly lowerCase: Map<string, number>;
  readonly bytes: number[][];
  constructor(readonly keys: readonly string[]) {
    this.lowerCase = new Map(keys.map((key, index) => [key.toLowerCase(), index]));
    this.bytes = keys.map((key) => [...key].map((character) => character.charCodeAt(0)));
  }
}

const ENDPOINT = new KeySet(ENDPOINT_KEYS);
const [DNS_NAME, TARGETS, RECORD_TYPE, SET_IDENTIFIER, RECORD_TTL, LABELS, PROVIDER_SPECIFIC] = [0, 1, 2, 3, 4, 5, 6];
const PROPERTY = new KeySet(PROVIDER_SPECIFIC_KEYS);
const [PROPERTY_NAME, PROPERTY_VALUE] = [0, 1];
const CHANGES = new KeySet(CHANGES_KEYS);
/** What the scan says of a refused endpoint's field when the endpoint is too big to describe by parsing it. */
const FIELD_PROBLEMS = [
  'must be a non-empty string',
  'must be an array of strings',
  'must be a non-empty string',
  'must be a string',
  'must be an integer',
  'must be an object whose values are strings',
  'must be an array of {name, value} objects with string values',
];

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

class WireScanner {
  position = 0;
  private depth = 0;
  /** Past the closing quote of the last key read. */
  private keyEnd = 0;

  constructor(private readonly bytes: Uint8Array) {}

  fail(what: string): never {
    throw new UnreadableBody(`the request body is not JSON: ${what} at byte ${this.position}`);
  }

  skipWhitespace(): void {
    const { bytes } = this;
    let position = this.position;
    while (position < bytes.length) {
      const byte = bytes[position]!;
      if (byte !== SPACE && byte !== LF && byte !== CR && byte !== TAB) break;
      position++;
    }
    this.position = position;
  }

  private enter(): void {
    if (++this.depth > MAX_WIRE_DEPTH) {
      throw new UnreadableBody(
        `the request body nests deeper than ${MAX_WIRE_DEPTH} levels (at byte ${this.position}); no webhook body nests more than 5`,
      );
    }
  }

  private expect(byte: number, what: string): void {
    this.skipWhitespace();
    if (this.bytes[this.position] !== byte) this.fail(`expected ${what}`);
    this.position++;
  }

  /** After an item of an array or object: true for a comma, false for the closing bracket. */
  private more(close: number): boolean {
    this.skipWhitespace();
    const byte = this.bytes[this.position];
    if (byte === COMMA) {
      this.position++;
      return true;
    }
    if (byte === close) {
      this.position++;
      this.depth--;
      return false;
    }
    return this.fail(close === CLOSE_ARRAY ? "expected ',' or ']'" : "expected ',' or '}'");
  }

  /** Past the opening bracket: true when the container is empty (and is now closed). */
  private opensEmpty(close: number): boolean {
    this.skipWhitespace();
    if (this.bytes[this.position] !== close) return false;
    this.position++;
    this.depth--;
    return true;
  }

  /** A string whose opening quote is at the position; returns whether it had escapes or non-ASCII bytes. */
  private string(): boolean {
    const { bytes } = this;
    let position = this.position + 1;
    let plain = true;
    for (;;) {
      if (position >= bytes.length) {
        this.position = position;
        this.fail('unterminated string');
      }
      const byte = bytes[position]!;
      if (byte === QUOTE) break;
      if (byte < SPACE) {
        this.position = position;
        this.fail('control character in a string');
      }
      if (byte === BACKSLASH) {
        plain = false;
        const escaped = bytes[position + 1];
        if (escaped === 0x75 /* u */) {
          for (let digit = 2; digit < 6; digit++) {
            const hex = bytes[position + digit] ?? 0;
            const isHex = (hex >= ZERO && hex <= NINE) || ((hex | 0x20) >= 0x61 && (hex | 0x20) <= 0x66);
            if (!isHex) {
              this.position = position;
              this.fail('bad \\u escape');
            }
          }
          position += 6;
          continue;
        }
        // " \ / b f n r t
        if (
          escaped !== QUOTE &&
          escaped !== BACKSLASH &&
          escaped !== 0x2f &&
          escaped !== 0x62 &&
          escaped !== 0x66 &&
          escaped !== 0x6e &&
          escaped !== 0x72 &&
          escaped !== 0x74
        ) {
          this.position = position;
          this.fail('bad escape');
        }
        position += 2;
        continue;
      }
      if (byte >= 0x80) plain = false;
      position++;
    }
    this.position = position + 1;
    return plain;
  }

  private number(): void {
    const { bytes } = this;
    let position = this.position;
    if (bytes[position] === MINUS) position++;
    if (bytes[position] === ZERO) position++;
    else position = this.digits(position);
    if (bytes[position] === 0x2e /* . */) position = this.digits(position + 1);
    if ((bytes[position]! | 0x20) === 0x65 /* e */) {
      position++;
      if (bytes[position] === 0x2b || bytes[position] === MINUS) position++;
      position = this.digits(position);
    }
    this.position = position;
  }

  /** Past one or more digits from `from`. */
  private digits(from: number): number {
    const { bytes } = this;
    let position = from;
    while (position < bytes.length && bytes[position]! >= ZERO && bytes[position]! <= NINE) position++;
    if (position === from) {
      this.position = position;
      this.fail('bad number');
    }
    return position;
  }

  private literal(word: string): void {
    for (let index = 0; index < word.length; index++) {
      if (this.bytes[this.position + index] !== word.charCodeAt(index)) this.fail('unexpected character');
    }
    this.position += word.length;
  }

  /**
   * Reads a scalar, or opens a container (the caller reads its content).
   * Leaves the position past the scalar or past the opening bracket.
   */
  private valueStart(): ValueType {
    this.skipWhitespace();
    const byte = this.bytes[this.position];
    switch (byte) {
      case QUOTE: {
        const start = this.position;
        this.string();
        return this.position - start === 2 ? ValueType.EmptyString : ValueType.String;
      }
      case OPEN_ARRAY:
        this.enter();
        this.position++;
        return ValueType.Array;
      case OPEN_OBJECT:
        this.enter();
        this.position++;
        return ValueType.Object;
      case 0x74: // t
        this.literal('true');
        return ValueType.Literal;
      case 0x66: // f
        this.literal('false');
        return ValueType.Literal;
      case 0x6e: // n
        this.literal('null');
        return ValueType.Null;
      default:
        if (byte === MINUS || (byte !== undefined && byte >= ZERO && byte <= NINE)) {
          this.number();
          return ValueType.Number;
        }
        return byte === undefined ? this.fail('unexpected end') : this.fail('unexpected character');
    }
  }

  /** Skips any JSON value, checking its syntax and depth, without recursion. */
  skipValue(): void {
    const type = this.valueStart();
    if (type === ValueType.Array || type === ValueType.Object) this.skipContent(type);
  }

  /** The rest of a container just opened, and of every container inside it. */
  private skipContent(opened: ValueType.Array | ValueType.Object): void {
    const stack: number[] = [opened === ValueType.Array ? CLOSE_ARRAY : CLOSE_OBJECT];
    let fresh = true;
    while (stack.length > 0) {
      const close = stack[stack.length - 1]!;
      if (fresh ? this.opensEmpty(close) : !this.more(close)) {
        stack.pop();
        fresh = false;
        continue;
      }
      if (close === CLOSE_OBJECT) {
        this.key();
      }
      const type = this.valueStart();
      if (type === ValueType.Array || type === ValueType.Object) {
        stack.push(type === ValueType.Array ? CLOSE_ARRAY : CLOSE_OBJECT);
        fresh = true;
      } else {
        fresh = false;
      }
    }
  }

  /** A member's key and its colon; returns whether the key is plain ASCII without escapes. */
  private key(): boolean {
    this.skipWhitespace();
    if (this.bytes[this.position] !== QUOTE) this.fail('expected a string key');
    const plain = this.string();
    this.keyEnd = this.position;
    this.expect(COLON, "':'");
    return plain;
  }

  private keyText(start: number, end: number): string {
    return JSON.parse(utf8.decode(this.bytes.subarray(start, end))) as string;
  }

  /** The index of a key in `keys` (any spelling canonicalizeKeys folds to it) times 2, plus 1 when exact; -1 when unknown. */
  private classify(keys: KeySet, start: number, end: number, plain: boolean): number {
    const { bytes } = this;
    if (plain) {
      const length = end - start - 2;
      for (let index = 0; index < keys.bytes.length; index++) {
        const wanted = keys.bytes[index]!;
        if (wanted.length !== length) continue;
        let exact = true;
        let folded = true;
        for (let offset = 0; offset < length; offset++) {
          const byte = bytes[start + 1 + offset]!;
          const expected = wanted[offset]!;
          if (byte !== expected) exact = false;
          const lower = byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte;
          if (lower !== (expected | 0x20)) {
            folded = false;
            break;
          }
        }
        if (folded) return index * 2 + (exact ? 1 : 0);
      }
      return -1;
    }
    const text = this.keyText(start, end);
    const canonical = keys.lowerCase.get(text.toLowerCase());
    return canonical === undefined ? -1 : canonical * 2 + (text === keys.keys[canonical] ? 1 : 0);
  }

  /**
   * Reads the members of an object just opened. `member` reads the value of a
   * known key and returns its verdict; unknown keys' values are skipped.
   * Returns the known members, for `effective` to resolve.
   */
  private members(
    keys: KeySet,
    member: (canonical: number, into: KnownMember) => void,
    known: KnownMember[] = [],
  ): KnownMember[] {
    if (this.opensEmpty(CLOSE_OBJECT)) return known;
    do {
      this.skipWhitespace();
      const keyStart = this.position;
      const plain = this.key();
      const keyEnd = this.keyEnd;
      const classified = this.classify(keys, keyStart, keyEnd, plain);
      const canonical = classified >> 1;
      const exact = (classified & 1) === 1;
      if (classified < 0) {
        this.skipValue();
        continue;
      }
      const into: KnownMember = { canonical, exact, keyStart, keyEnd, verdict: OK, problem: '' };
      member(canonical, into);
      known.push(into);
    } while (this.more(CLOSE_OBJECT));
    return known;
  }

  /**
   * The member each known key ends up with: JSON.parse keeps the last of
   * duplicate keys, then canonicalizeKeys takes the exact spelling, else the
   * first case-folded one. Undefined where the key is absent.
   */
  private effective(known: KnownMember[], count: number): (KnownMember | undefined)[] {
    const chosen = Array.from<KnownMember | undefined>({ length: count });
    let duplicated = false;
    for (const entry of known) {
      if (chosen[entry.canonical]) duplicated = true;
      chosen[entry.canonical] = entry;
    }
    if (!duplicated) return chosen;
    // Rare (Go never sends a key twice): resolve with the keys' texts.
    const byKey = new Map<string, KnownMember>();
    for (const entry of known) {
      const text = this.keyText(entry.keyStart, entry.keyEnd);
      const first = byKey.get(text);
      // The value of the last, at the place of the first (a reassigned property keeps its place).
      byKey.set(text, first ? { ...entry, keyStart: first.keyStart } : entry);
    }
    const ordered = [...byKey.values()].sort((a, b) => a.keyStart - b.keyStart);
    chosen.fill(undefined);
    for (const entry of ordered) {
      const current = chosen[entry.canonical];
      if (!current || (entry.exact && !current.exact)) chosen[entry.canonical] = entry;
    }
    return chosen;
  }

  endpointsBody(): BodyResult {
    const type = this.valueStart();
    if (type === ValueType.Null) return { lists: [] };
    if (type !== ValueType.Array) {
      if (type === ValueType.Object) this.skipContent(type);
      return { topProblem: WIRE_PROBLEMS.notAnEndpointArray, lists: [] };
    }
    const list = this.endpointList('');
    return { lists: [list] };
  }

  changesBody(): BodyResult {
    const type = this.valueStart();
    if (type === ValueType.Null) return { lists: [] };
    if (type !== ValueType.Object) {
      if (type === ValueType.Array) this.skipContent(type);
      return { topProblem: WIRE_PROBLEMS.notAChangesObject, lists: [] };
    }
    const known = this.members(CHANGES, (canonical, into) => {
      const start = this.position;
      const key = CHANGES_KEYS[canonical]!;
      const listType = this.valueStart();
      if (listType === ValueType.Array) into.list = this.endpointList(key);
      else {
        if (listType === ValueType.Object) this.skipContent(listType);
        into.list =
          listType === ValueType.Null
            ? { length: 0, refused: [], refusedCount: 0 }
            : {
                length: 0,
                refused: [{ at: key, start, end: start, problem: WIRE_PROBLEMS.notAnEndpointList(key) }],
                refusedCount: 1,
              };
      }
    });
    const lists = this.effective(known, CHANGES_KEYS.length).map(
      (entry) => entry?.list ?? { length: 0, refused: [], refusedCount: 0 },
    );
    const result: BodyResult = { lists };
    const [, updateOld, updateNew] = lists;
    if (lists.every((list) => list.refusedCount === 0) && updateOld!.length !== updateNew!.length) {
      result.topProblem = WIRE_PROBLEMS.unpairedUpdates(updateOld!.length, updateNew!.length);
    }
    return result;
  }

  /** An array of endpoints just opened, at `path` (`create`, or '' for /adjustendpoints). */
  private endpointList(path: string): ListResult {
    const list: ListResult = { length: 0, refused: [], refusedCount: 0 };
    if (this.opensEmpty(CLOSE_ARRAY)) return list;
    do {
      this.skipWhitespace();
      const start = this.position;
      const index = list.length++;
      const type = this.valueStart();
      // -1: not an object; else the endpoint's verdict.
      let verdict: Verdict | -1 = -1;
      if (type === ValueType.Object) verdict = this.endpoint(start);
      else if (type === ValueType.Array) this.skipContent(type);
      if (verdict !== OK) {
        if (list.refused.length < MAX_DESCRIBED_ENDPOINTS) {
          const at = `${path}[${index}]`;
          const problem =
            verdict === -1
              ? `${at} must be an endpoint object`
              : `${at}.${ENDPOINT_KEYS[this.refusedField]} ${FIELD_PROBLEMS[this.refusedField]}`;
          list.refused.push({ at, start, end: this.position, problem });
        }
        list.refusedCount++;
      }
    } while (this.more(CLOSE_ARRAY));
    return list;
  }

  /** Each endpoint key's verdict in the object being read (-1: absent); reused, as endpoints come by the million. */
  private readonly endpointSlots = new Int8Array(ENDPOINT_KEYS.length);
  /** The field of the last endpoint refused that the scan saw wrong (its words are made only for the few described). */
  private refusedField = 0;

  /** An endpoint object just opened at `start`: its verdict (the problem in endpointProblem). */
  private endpoint(start: number): Verdict {
    const slots = this.endpointSlots;
    for (let canonical = 0; canonical < slots.length; canonical++) slots[canonical] = -1;
    let duplicated = false;
    if (!this.opensEmpty(CLOSE_OBJECT)) {
      do {
        this.skipWhitespace();
        const keyStart = this.position;
        const plain = this.key();
        const classified = this.classify(ENDPOINT, keyStart, this.keyEnd, plain);
        if (classified < 0) {
          this.skipValue();
          continue;
        }
        const canonical = classified >> 1;
        if (slots[canonical] !== -1) duplicated = true;
        slots[canonical] = this.endpointField(canonical);
      } while (this.more(CLOSE_OBJECT));
    }
    if (duplicated) this.resolveDuplicatedEndpointKeys(start);
    for (let canonical = 0; canonical < slots.length; canonical++) {
      const slot = slots[canonical]!;
      const required = canonical === DNS_NAME || canonical === RECORD_TYPE;
      if (slot === BAD || (slot === -1 && required)) {
        this.refusedField = canonical;
        return BAD;
      }
    }
    return OK;
  }

  /**
   * Reads the endpoint at `start` again, keeping every known member, and
   * sets endpointSlots to the verdicts of the members that count. Rare: Go
   * never sends a key twice.
   */
  private resolveDuplicatedEndpointKeys(start: number): void {
    const end = this.position;
    this.position = start;
    this.valueStart();
    const known = this.members(ENDPOINT, (canonical, into) => {
      into.verdict = this.endpointField(canonical);
    });
    if (this.position !== end) throw new Error('scanWireBody: an endpoint read twice ended in two places');
    const chosen = this.effective(known, ENDPOINT_KEYS.length);
    for (let canonical = 0; canonical < chosen.length; canonical++) {
      this.endpointSlots[canonical] = chosen[canonical]?.verdict ?? -1;
    }
  }

  /** Reads the value of an endpoint's known key and judges it by the key's rule. */
  private endpointField(canonical: number): Verdict {
    switch (canonical) {
      case DNS_NAME:
      case RECORD_TYPE:
        return this.scalar() === ValueType.String ? OK : BAD;
      case SET_IDENTIFIER: {
        const type = this.scalar();
        return type === ValueType.String || type === ValueType.EmptyString || type === ValueType.Null ? OK : BAD;
      }
      case RECORD_TTL: {
        this.skipWhitespace();
        const start = this.position;
        const type = this.scalar();
        if (type === ValueType.Null) return OK;
        if (type !== ValueType.Number) return BAD;
        return isIntegerJsonNumber(this.bytes, start, this.position) ? OK : BAD;
      }
      case TARGETS:
        return this.stringArray() ? OK : BAD;
      case LABELS:
        return this.labels() ? OK : BAD;
      case PROVIDER_SPECIFIC:
        return this.providerSpecific();
      default:
        throw new Error(`scanWireBody: no rule for endpoint key ${canonical}`);
    }
  }

  /** Any value; a container is skipped whole and reported as its type. */
  private scalar(): ValueType {
    const type = this.valueStart();
    if (type === ValueType.Array || type === ValueType.Object) this.skipContent(type);
    return type;
  }

  /** null, or an array of strings. */
  private stringArray(): boolean {
    const type = this.valueStart();
    if (type === ValueType.Null) return true;
    if (type !== ValueType.Array) {
      if (type === ValueType.Object) this.skipContent(type);
      return false;
    }
    let ok = true;
    if (this.opensEmpty(CLOSE_ARRAY)) return true;
    do {
      const item = this.scalar();
      if (item !== ValueType.String && item !== ValueType.EmptyString) ok = false;
    } while (this.more(CLOSE_ARRAY));
    return ok;
  }

  /** null, or an object whose values (the last of duplicate keys) are strings. */
  private labels(): boolean {
    this.skipWhitespace();
    const start = this.position;
    const type = this.valueStart();
    if (type === ValueType.Null) return true;
    if (type !== ValueType.Object) {
      if (type === ValueType.Array) this.skipContent(type);
      return false;
    }
    if (this.opensEmpty(CLOSE_OBJECT)) return true;
    let ok = true;
    do {
      this.key();
      const item = this.scalar();
      if (item !== ValueType.String && item !== ValueType.EmptyString) ok = false;
    } while (this.more(CLOSE_OBJECT));
    return ok || this.labelsWithDuplicatesAreStrings(start);
  }

  /** Reads the labels at `start` again: a bad value may be overridden by a later duplicate key. */
  private labelsWithDuplicatesAreStrings(start: number): boolean {
    const end = this.position;
    this.position = start;
    this.valueStart();
    const last = new Map<string, boolean>();
    do {
      this.skipWhitespace();
      const keyStart = this.position;
      this.key();
      const key = this.keyText(keyStart, this.keyEnd);
      const item = this.scalar();
      last.set(key, item === ValueType.String || item === ValueType.EmptyString);
    } while (this.more(CLOSE_OBJECT));
    if (this.position !== end) throw new Error('scanWireBody: labels read twice ended in two places');
    return [...last.values()].every(Boolean);
  }

  /** null, or an array of {name, value} objects. */
  private providerSpecific(): Verdict {
    const type = this.valueStart();
    if (type === ValueType.Null) return OK;
    if (type !== ValueType.Array) {
      if (type === ValueType.Object) this.skipContent(type);
      return BAD;
    }
    if (this.opensEmpty(CLOSE_ARRAY)) return OK;
    let verdict: Verdict = OK;
    do {
      const item = this.valueStart();
      if (item !== ValueType.Object) {
        if (item === ValueType.Array) this.skipContent(item);
        verdict = BAD;
        continue;
      }
      const known = this.members(PROPERTY, (canonical, into) => {
        const value = this.scalar();
        const isString = value === ValueType.String || value === ValueType.EmptyString;
        into.verdict = isString || (canonical === PROPERTY_VALUE && value === ValueType.Null) ? OK : BAD;
      });
      const chosen = this.effective(known, PROVIDER_SPECIFIC_KEYS.length);
      const name = chosen[PROPERTY_NAME];
      if (!name || name.verdict === BAD || chosen[PROPERTY_VALUE]?.verdict === BAD) verdict = BAD;
    } while (this.more(CLOSE_ARRAY));
    return verdict;
  }
}

/**
 * The WireValidationError the wire parser would throw, its first endpoints
 * described in its own words; undefined when nothing is refused or when
 * the wire parser, asked about an endpoint, finds nothing wrong with it
 * (then the full parse decides).
 */
function describe(result: BodyResult, bytes: Uint8Array): WireValidationError | undefined {
  const refusedCount = result.lists.reduce((sum, list) => sum + list.refusedCount, 0);
  if (refusedCount === 0) return result.topProblem ? new WireValidationError([result.topProblem]) : undefined;
  const problems: string[] = [];
  let described = 0;
  for (const list of result.lists) {
    for (const refused of list.refused) {
      if (described === MAX_DESCRIBED_ENDPOINTS) break;
      const found = describeRefused(refused, bytes);
      if (found.length === 0) return undefined;
      problems.push(...found);
      described++;
    }
  }
  return new WireValidationError(problems, refusedCount - described);
}

function describeRefused(refused: RefusedEndpoint, bytes: Uint8Array): string[] {
  if (refused.end === refused.start) return [refused.problem];
  if (refused.end - refused.start > DESCRIBE_BY_PARSING_BYTES) return [refused.problem];
  const value = JSON.parse(utf8.decode(bytes.subarray(refused.start, refused.end))) as unknown;
  return endpointProblems(value, refused.at);
}

/** Plain digits up to this many are an integer whatever they are (and far from Infinity). */
const PLAIN_INTEGER_DIGITS = 15;

/**
 * Whether the JSON number in `bytes[start, end)` (the scan has read it as one)
 * is an integer, as `Number.isInteger(Number(text))` says: at once for a
 * short run of digits, a TTL as ExternalDNS sends it; else from its text.
 *
 * Why: the text of every endpoint's TTL was made to be judged, a subarray
 * and a decoded string per endpoint, about 1 MB of garbage for the 10k
 * changes of a PowerDNS batch (heap sampling of the in-process apply path),
 * made and dropped while the batch is live.
 */
export function isIntegerJsonNumber(bytes: Uint8Array, start: number, end: number): boolean {
  const digits = bytes[start] === MINUS ? start + 1 : start;
  if (end > digits && end - digits <= PLAIN_INTEGER_DIGITS) {
    let plain = true;
    for (let at = digits; at < end; at++) {
      const byte = bytes[at]!;
      if (byte < ZERO || byte > NINE) {
        plain = false;
        break;
      }
    }
    if (plain) return true;
  }
  return Number.isInteger(Number(latin1.decode(bytes.subarray(start, end))));
}
