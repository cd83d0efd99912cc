import { normalizeDnsName } from '@dnsgate/plugin-sdk';
import { resolveZoneName } from './dns-names.js';
import { isStructuredType, isTtlToken, parseTtl, targetFromTokens } from './rdata.js';
import { InvalidRecordError, ZoneFileSyntaxError } from './zone-file.errors.js';
import { SimpleRecordLineReader } from './simple-record-line.js';
import { forEachZoneEntry, type ZoneLine } from './zone-file.tokenizer.js';
import type { ZoneFile, ZoneRecord } from './zone-record.js';

const CLASSES = new Set(['IN', 'CH', 'HS', 'CS', 'NONE', 'ANY']);
const TYPE = /^[A-Z][A-Z0-9-]*$/;

export interface ParseOptions {
  /** The zone the file is loaded as (BIND's `zone` statement); the initial `$ORIGIN`. */
  origin: string;
  /** For error messages. */
  fileName?: string;
  /** TTL when neither the record, `$TTL`, nor a previous record gives one. */
  defaultTtl?: number;
  /** Read common lines with `SimpleRecordLineReader` (default true); false only to test it against the general path. */
  simpleLines?: boolean;
}

/**
 * Reads master-file text (RFC 1035 §5, as BIND writes and reads it). Records
 * of the types in `rdata.ts` are decoded into canonical targets; any other
 * type is kept verbatim (with the `$ORIGIN` it was read under) so a rewrite
 * preserves it. `$INCLUDE` and `$GENERATE` are refused: a single rewritten
 * file could not keep their meaning.
 */
export function parseZoneFile(text: string, options: ParseOptions): ZoneFile {
  const zone = normalizeDnsName(options.origin);
  const fileName = options.fileName ?? `${zone} zone file`;
  let origin = zone;
  let defaultTtl: number | undefined;
  let lastTtl: number | undefined;
  let lastOwner: string | undefined;
  const records: ZoneRecord[] = [];

  let entryLine = 0;
  const fail = (message: string): never => {
    throw new ZoneFileSyntaxError(`${fileName}:${entryLine}: ${message}`);
  };

  // Common lines are read by the fast path; it returns undefined for any line the general path must judge.
  const simple = new SimpleRecordLineReader();
  const takeSimpleLine = (start: number, end: number): boolean => {
    const read = simple.readLine(text, start, end, origin);
    if (read === undefined) return simple.blank;
    const owner = read.owner ?? lastOwner;
    if (owner === undefined) return false;
    lastOwner = owner;
    const effectiveTtl = read.ttl ?? defaultTtl ?? lastTtl ?? options.defaultTtl ?? 3600;
    lastTtl = effectiveTtl;
    records.push({ name: owner, ttl: effectiveTtl, type: read.type, data: read.data, verbatim: false, origin });
    return true;
  };

  const visitEntry = (entry: ZoneLine): void => {
    entryLine = entry.line;
    const tokens = entry.tokens;
    const first = tokens[0]!;
    // The tokens left unread start at `next`: no copies or shifts per record.
    let next = 0;

    if (!entry.ownerOmitted && !first.quoted && first.raw.startsWith('$')) {
      const directive = first.raw.toUpperCase();
      if (directive === '$ORIGIN') {
        if (tokens.length !== 2) fail('$ORIGIN takes one name');
        origin = resolveZoneName(tokens[1]!.raw, origin);
      } else if (directive === '$TTL') {
        if (tokens.length !== 2) fail('$TTL takes one value');
        defaultTtl = ttlOrFail(tokens[1]!.raw, fail);
      } else {
        fail(`${first.raw} is not supported; expand it into plain records`);
      }
      return;
    }

    let owner: string;
    if (entry.ownerOmitted) {
      if (lastOwner === undefined) fail('a record without an owner before any owner was given');
      owner = lastOwner!;
    } else {
      if (first.quoted) fail('an owner name cannot be a quoted string');
      owner = resolveZoneName(tokens[next++]!.raw, origin);
    }
    lastOwner = owner;

    let ttl: number | undefined;
    let type: string | undefined;
    while (next < tokens.length && type === undefined) {
      const token = tokens[next++]!;
      if (token.quoted) fail(`expected a TTL, class or type, got ${token.raw}`);
      if (ttl === undefined && isTtlToken(token.raw)) {
        ttl = ttlOrFail(token.raw, fail);
        continue;
      }
      const word = token.raw.toUpperCase();
      if (CLASSES.has(word)) {
        if (word !== 'IN') fail(`class ${word} is not supported, only IN`);
      } else if (TYPE.test(word)) type = word;
      else fail(`expected a TTL, class or type, got ${token.raw}`);
    }
    if (type === undefined) fail('a record without a type');
    const recordType = type!;
    const dataCount = tokens.length - next;

    const effectiveTtl = ttl ?? defaultTtl ?? lastTtl ?? options.defaultTtl ?? 3600;
    lastTtl = effectiveTtl;

    let record: ZoneRecord | undefined;
    const isGeneric = dataCount > 0 && tokens[next]!.raw === '\\#';
    if (isStructuredType(recordType) && !isGeneric) {
      try {
        record = {
          name: owner,
          ttl: effectiveTtl,
          type: recordType,
          data: targetFromTokens(recordType, tokens, origin, next),
          verbatim: false,
          origin,
        };
      } catch (error) {
        if (!(error instanceof InvalidRecordError)) throw error;
        // Kept as written: the file is BIND's to judge, only reported records must be canonical.
        if (recordType === 'SOA') fail(`invalid SOA record: ${error.message}`);
      }
    }
    if (dataCount === 0 && record === undefined) fail(`${recordType} record without data`);
    record ??= {
      name: owner,
      ttl: effectiveTtl,
      type: recordType,
      data: tokens
        .slice(next)
        .map((t) => t.raw)
        .join(' '),
      verbatim: true,
      origin,
    };
    records.push(record);
  };
  forEachZoneEntry(text, fileName, visitEntry, options.simpleLines === false ? undefined : takeSimpleLine);
  return { origin: zone, records };
}

function ttlOrFail(text: string, fail: (message: string) => never): number {
  try {
    const ttl = parseTtl(text);
    if (ttl > 0x7fffffff) fail(`TTL ${text} is above 2147483647`);
    return ttl;
  } catch (error) {
    if (error instanceof InvalidRecordError) fail(error.message);
    throw error;
  }
}
