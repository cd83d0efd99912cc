import { isIPv4 } from 'node:net';
import { canonicalIpv6, formatTxtTarget, splitTxtValue, txtTargetValue } from '@dnsgate/plugin-sdk';
import { canonicalHostname, resolveZoneName } from './dns-names.js';
import { InvalidRecordError } from './zone-file.errors.js';
import { decodeCharacterString, encodeCharacterString, type ZoneToken } from './zone-file.tokenizer.js';

type Field = 'ipv4' | 'ipv6' | 'u8' | 'u16' | 'u32' | 'ttl' | 'name' | 'target' | 'string' | 'tag' | 'soaname';

/**
 * The record types the plugin reads into endpoints and writes from them, and
 * the shape of their rdata. `name` is a host name; `target` also allows the
 * root `.` (SRV/MX/NAPTR "no such service").
 */
const FIELDS: Record<string, readonly Field[]> = {
  A: ['ipv4'],
  AAAA: ['ipv6'],
  CNAME: ['name'],
  NS: ['name'],
  PTR: ['name'],
  DNAME: ['name'],
  MX: ['u16', 'target'],
  SRV: ['u16', 'u16', 'u16', 'target'],
  NAPTR: ['u16', 'u16', 'string', 'string', 'string', 'target'],
  CAA: ['u8', 'tag', 'string'],
  SOA: ['soaname', 'soaname', 'u32', 'ttl', 'ttl', 'ttl', 'ttl'],
};

/** Types ExternalDNS may manage through this plugin (SOA is the plugin's own). */
export const ENDPOINT_RECORD_TYPES: ReadonlySet<string> = new Set([
  'A',
  'AAAA',
  'CNAME',
  'TXT',
  'SRV',
  'MX',
  'NS',
  'PTR',
  'NAPTR',
  'CAA',
  'DNAME',
]);

/** Types whose rdata this module understands (read, validate, write). */
export function isStructuredType(type: string): boolean {
  return type === 'TXT' || type in FIELDS;
}

const MAX_U = { u8: 0xff, u16: 0xffff, u32: 0xffffffff } as const;

/** True for a non-empty run of ASCII digits; a loop, not a regular expression, as it runs per record. */
function isDigits(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return false;
  }
  return true;
}

/** Parses `1h30m`, `2w`, `300` into seconds (BIND's TTL syntax). */
export function parseTtl(text: string): number {
  if (isDigits(text)) return Number(text);
  if (!/^(\d+[wdhms])+$/i.test(text)) throw new InvalidRecordError(`invalid TTL ${JSON.stringify(text)}`);
  const unit: Record<string, number> = { w: 604800, d: 86400, h: 3600, m: 60, s: 1 };
  let total = 0;
  for (const [, n, u] of text.matchAll(/(\d+)([wdhms])/gi)) total += Number(n) * unit[u!.toLowerCase()]!;
  return total;
}

export function isTtlToken(text: string): boolean {
  if (isDigits(text)) return true;
  const first = text.charCodeAt(0);
  return first >= 0x30 && first <= 0x39 && /^(\d+[wdhms])+$/i.test(text);
}

function requireIpv6(text: string): string {
  const canonical = canonicalIpv6(text);
  if (canonical === undefined) throw new InvalidRecordError(`invalid IPv6 address ${JSON.stringify(text)}`);
  return canonical;
}

/**
 * One field in canonical target form. `origin` is set when the field comes
 * from a zone file (relative names allowed) and undefined when it comes from
 * ExternalDNS (names are absolute, with or without the trailing dot).
 */
function canonicalField(field: Field, token: ZoneToken, origin: string | undefined): string {
  const text = token.raw;
  if (token.quoted && field !== 'string') throw new InvalidRecordError(`unexpected quoted string ${text}`);
  switch (field) {
    case 'ipv4':
      if (!isIPv4(text)) throw new InvalidRecordError(`invalid IPv4 address ${JSON.stringify(text)}`);
      return text;
    case 'ipv6':
      return requireIpv6(text);
    case 'u8':
    case 'u16':
    case 'u32':
      if (!/^\d{1,10}$/.test(text) || Number(text) > MAX_U[field]) {
        throw new InvalidRecordError(`${JSON.stringify(text)} is not a number from 0 to ${MAX_U[field]}`);
      }
      return String(Number(text));
    case 'ttl':
      return String(parseTtl(text));
    case 'name':
    case 'target': {
      const root = field === 'target';
      if (origin === undefined) return canonicalHostname(text, { root });
      const absolute = resolveZoneName(text, origin);
      return absolute === '.' && root ? '.' : canonicalHostname(absolute, { root });
    }
    case 'soaname':
      // The plugin never reports the SOA, so its names may hold what BIND allows (`john\.doe`).
      return origin === undefined ? text.toLowerCase().replace(/\.$/, '') : resolveZoneName(text, origin);
    case 'tag':
      if (!/^[a-z0-9]{1,15}$/i.test(text)) throw new InvalidRecordError(`invalid CAA tag ${JSON.stringify(text)}`);
      return text.toLowerCase();
    case 'string': {
      const value = decodeCharacterString(token);
      if (Buffer.byteLength(value) > 255) throw new InvalidRecordError(`character-string longer than 255 bytes`);
      return encodeCharacterString(value);
    }
  }
}

/** rdata fields (tokens of a zone file) → the canonical endpoint target. */
export function targetFromTokens(
  type: string,
  tokens: readonly ZoneToken[],
  origin: string | undefined,
  from = 0,
): string {
  const count = tokens.length - from;
  if (type === 'TXT') {
    if (count <= 0) throw new InvalidRecordError('TXT record without a string');
    let value = '';
    for (let i = from; i < tokens.length; i++) value += decodeCharacterString(tokens[i]!);
    return formatTxtTarget(value);
  }
  const fields = FIELDS[type];
  if (!fields) throw new InvalidRecordError(`record type ${type} is not supported`);
  if (count !== fields.length) {
    throw new InvalidRecordError(`${type} needs ${fields.length} field(s), got ${count}`);
  }
  if (fields.length === 1) return canonicalField(fields[0]!, tokens[from]!, origin);
  return fields.map((field, i) => canonicalField(field, tokens[from + i]!, origin)).join(' ');
}

// A quoted string (escapes allowed, no raw control characters), or a run of
// printable characters that mean nothing special to a master-file reader.
// eslint-disable-next-line no-control-regex -- control characters are exactly what must be refused
const TARGET_TOKEN = /"(?:[^"\\\x00-\x1f\x7f]|\\[^\x00-\x1f\x7f])*"|[^\s"();$\\\x00-\x1f\x7f]+/y;

/** Splits an ExternalDNS target into fields, refusing anything a zone file would read specially. */
export function tokenizeTarget(target: string): ZoneToken[] {
  const tokens: ZoneToken[] = [];
  let i = 0;
  while (i < target.length) {
    if (target[i] === ' ' || target[i] === '\t') {
      i++;
      continue;
    }
    TARGET_TOKEN.lastIndex = i;
    const match = TARGET_TOKEN.exec(target);
    if (!match) {
      throw new InvalidRecordError(
        `target ${JSON.stringify(target)} holds a character a zone file cannot take here (${JSON.stringify(target[i])})`,
      );
    }
    const raw = match[0];
    tokens.push({ raw, quoted: raw.startsWith('"') });
    i += raw.length;
  }
  return tokens;
}

/**
 * The canonical form of a target ExternalDNS sent, exactly as `targetFromTokens`
 * produces it when the record is read back. Throws InvalidRecordError.
 */
export function canonicalTarget(type: string, target: string): string {
  if (type === 'TXT') return formatTxtTarget(txtTargetValue(target));
  return targetFromTokens(type, tokenizeTarget(target), undefined);
}

/** The rdata text to write for a canonical target: names absolute, TXT split into 255-byte strings. */
export function presentationFromTarget(type: string, target: string): string {
  // An address is its own presentation; most records of a big zone are addresses.
  if (type === 'A' || type === 'AAAA') return target;
  if (type === 'TXT') return splitTxtValue(txtTargetValue(target)).map(encodeCharacterString).join(' ');
  const fields = FIELDS[type];
  if (!fields) throw new InvalidRecordError(`record type ${type} is not supported`);
  const tokens: ZoneToken[] =
    type === 'SOA' ? target.split(' ').map((raw) => ({ raw, quoted: false })) : tokenizeTarget(target);
  return tokens
    .map((token, i) => {
      const field = fields[i];
      return (field === 'name' || field === 'target' || field === 'soaname') && token.raw !== '.'
        ? `${token.raw}.`
        : token.raw;
    })
    .join(' ');
}
