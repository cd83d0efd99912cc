import { isIPv4 } from 'node:net';
import {
  canonicalIpv6,
  canonicalTxtTarget,
  escapeTxt,
  formatTxtTarget,
  lowerCased,
  parseQuotedStrings,
  splitTxtValue,
  txtTargetValue,
} from '@dnsgate/plugin-sdk';

/**
 * One record's content in two spellings: the canonical ExternalDNS target
 * (what Records reports and AdjustEndpoints produces) and the PowerDNS
 * presentation content (what the API takes and gives). The one rule that
 * keeps ExternalDNS from looping: `toTarget(type, toContent(type, t)) === t`
 * for every canonical `t`, and `toTarget` is also how a desired target is
 * normalised.
 */

/** The record types dnsgate reads and writes through PowerDNS. */
export const SUPPORTED_TYPES = new Set([
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

/** Types whose single target is a host name. */
const HOST_TYPES = new Set(['CNAME', 'NS', 'PTR', 'DNAME', 'ALIAS']);

export type TargetResult = { ok: true; target: string } | { ok: false; problem: string };

/** Labels of letters, digits, `-` and `_`, 1 to 63 of them, joined by dots. */
const HOST = /^(?:[a-z0-9_-]{1,63}\.)*[a-z0-9_-]{1,63}$/;
/** The same, or with a leading `*` label. */
const WILDCARD_HOST = /^(?:\*|(?:\*\.)?(?:[a-z0-9_-]{1,63}\.)*[a-z0-9_-]{1,63})$/;
const SIMPLE_QUOTED = /^"[^"\\]*"$/;
/** A quoted string of printable ASCII without `"` or `\`: written to PowerDNS as it is. */
const SIMPLE_TXT_CONTENT = /^"[\x20\x21\x23-\x5b\x5d-\x7e]*"$/;
/** Its value then fits one 255-byte character-string. */
const MAX_SIMPLE_TXT = 255 + 2;

/**
 * A host name in canonical form: lower case, no trailing dot; the root stays
 * `.`. Labels of letters, digits, `-` and `_`, at most 63 bytes; 253 in all.
 * With `wildcard`, a leading `*` label is allowed (owner names).
 */
export function canonicalHost(text: string, options?: { wildcard?: boolean; root?: boolean }): string | undefined {
  const name = lowerCased(text.trim());
  if (name === '.') return options?.root ? '.' : undefined;
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  if (bare.length > 253) return undefined;
  // One pass over the whole name: the same rules as checking label by label.
  return (options?.wildcard ? WILDCARD_HOST : HOST).test(bare) ? bare : undefined;
}

/** `name.` for PowerDNS; the root stays `.`. */
export function fqdn(host: string): string {
  return host === '.' ? '.' : `${host}.`;
}

function u16(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,5}$/.test(text)) return undefined;
  const value = Number(text);
  return value <= 65535 ? value : undefined;
}

/**
 * Splits presentation text into fields: bare words and quoted strings (the
 * quotes kept, escapes left as written).
 */
export function splitFields(text: string): string[] | undefined {
  const fields: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    let j = i;
    if (c === '"') {
      j++;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) return undefined;
      j++;
      if (j < text.length && !/\s/.test(text[j]!)) return undefined;
    } else {
      while (j < text.length && !/\s/.test(text[j]!)) j++;
    }
    fields.push(text.slice(i, j));
    i = j;
  }
  return fields;
}

/** A quoted character-string in canonical form, from a quoted or bare field. */
function canonicalString(field: string): string | undefined {
  if (field.startsWith('"')) {
    const strings = parseQuotedStrings(field);
    return strings?.length === 1 ? formatTxtTarget(strings[0]!) : undefined;
  }
  if (field.includes('"') || field.includes('\\')) return undefined;
  return formatTxtTarget(field);
}

/** One quoted TXT string with nothing to unescape: its own canonical target. */
export function isSimpleQuotedTxt(raw: string): boolean {
  return SIMPLE_QUOTED.test(raw);
}

/**
 * Whether `target` is already what toTarget makes of it (`{ ok: true, target }`
 * with the same string), told without building a result: true only for an
 * IPv4 address of an A record and a simple quoted string of a TXT (the
 * targets of nearly every change ExternalDNS sends); false where toTarget
 * must be asked. See normalizeEndpoint's use of it for why.
 */
export function isCanonicalTarget(type: string, target: string): boolean {
  if (type === 'A') return isIPv4(target);
  if (type === 'TXT') return isSimpleQuotedTxt(target);
  return false;
}

/** Normalises one target of `type` to its canonical form, or says why PowerDNS cannot hold it. */
export function toTarget(type: string, raw: string): TargetResult {
  const text = raw.trim();
  const fail = (problem: string): TargetResult => ({ ok: false, problem });
  switch (type) {
    case 'A':
      return isIPv4(text) ? { ok: true, target: text } : fail(`${JSON.stringify(raw)} is not an IPv4 address`);
    case 'AAAA': {
      const address = canonicalIpv6(text);
      return address ? { ok: true, target: address } : fail(`${JSON.stringify(raw)} is not an IPv6 address`);
    }
    case 'TXT':
      // Fast path: one quoted string with nothing to unescape is already canonical.
      if (isSimpleQuotedTxt(raw)) return { ok: true, target: raw };
      return { ok: true, target: canonicalTxtTarget(raw) };
    case 'MX': {
      const [pref, host, extra] = text.split(/\s+/);
      const preference = u16(pref);
      const exchange = host === undefined ? undefined : canonicalHost(host, { root: true });
      if (preference === undefined || exchange === undefined || extra !== undefined) {
        return fail(`${JSON.stringify(raw)} is not an MX target "<preference 0-65535> <host>"`);
      }
      return { ok: true, target: `${preference} ${exchange}` };
    }
    case 'SRV': {
      const [p, w, port, host, extra] = text.split(/\s+/);
      const numbers = [u16(p), u16(w), u16(port)];
      const targetHost = host === undefined ? undefined : canonicalHost(host, { root: true });
      if (numbers.some((n) => n === undefined) || targetHost === undefined || extra !== undefined) {
        return fail(`${JSON.stringify(raw)} is not an SRV target "<priority> <weight> <port> <host>"`);
      }
      return { ok: true, target: `${numbers.join(' ')} ${targetHost}` };
    }
    case 'CAA': {
      const fields = splitFields(text);
      const [flags, tag, value, extra] = fields ?? [];
      const flagValue = flags !== undefined && /^\d{1,3}$/.test(flags) ? Number(flags) : 256;
      const canonicalValue = value === undefined ? undefined : canonicalString(value);
      if (
        flagValue > 255 ||
        !tag ||
        !/^[a-z0-9]{1,15}$/i.test(tag) ||
        canonicalValue === undefined ||
        extra !== undefined
      ) {
        return fail(`${JSON.stringify(raw)} is not a CAA target "<flags 0-255> <tag> \\"<value>\\""`);
      }
      return { ok: true, target: `${flagValue} ${tag.toLowerCase()} ${canonicalValue}` };
    }
    case 'NAPTR': {
      const fields = splitFields(text);
      const [order, pref, flags, services, regexp, replacement, extra] = fields ?? [];
      const strings = [flags, services, regexp].map((f) => (f === undefined ? undefined : canonicalString(f)));
      const host = replacement === undefined ? undefined : canonicalHost(replacement, { root: true });
      if (
        u16(order) === undefined ||
        u16(pref) === undefined ||
        strings.some((s) => s === undefined) ||
        !host ||
        extra
      ) {
        return fail(
          `${JSON.stringify(raw)} is not a NAPTR target "<order> <preference> \\"<flags>\\" \\"<services>\\" \\"<regexp>\\" <replacement>"`,
        );
      }
      return { ok: true, target: `${u16(order)} ${u16(pref)} ${strings.join(' ')} ${host}` };
    }
    default: {
      if (!HOST_TYPES.has(type)) return fail(`PowerDNS records of type ${type} are not managed by dnsgate`);
      const host = canonicalHost(text);
      return host ? { ok: true, target: host } : fail(`${JSON.stringify(raw)} is not a host name`);
    }
  }
}

/** The PowerDNS content for a canonical target. */
export function toContent(type: string, target: string): string {
  switch (type) {
    case 'TXT':
      // Fast path: one short quoted string with nothing to escape is its own content.
      if (target.length <= MAX_SIMPLE_TXT && SIMPLE_TXT_CONTENT.test(target)) return target;
      return txtContent(txtTargetValue(target));
    case 'MX': {
      const [pref, host] = target.split(' ');
      return `${pref} ${fqdn(host!)}`;
    }
    case 'SRV': {
      const [p, w, port, host] = target.split(' ');
      return `${p} ${w} ${port} ${fqdn(host!)}`;
    }
    case 'NAPTR': {
      const fields = splitFields(target)!;
      const host = fields[5]!;
      return [...fields.slice(0, 5).map((f, i) => (i >= 2 ? quoteForPdns(f) : f)), fqdn(host)].join(' ');
    }
    case 'CAA': {
      const fields = splitFields(target)!;
      return `${fields[0]} ${fields[1]} ${quoteForPdns(fields[2]!)}`;
    }
    default:
      return HOST_TYPES.has(type) ? fqdn(target) : target;
  }
}

/**
 * A TXT value as PowerDNS content: character-strings of at most 255 bytes,
 * quoted, with `"` and `\` escaped and control characters as `\DDD`.
 */
export function txtContent(value: string): string {
  return splitTxtValue(value, 255)
    .map((part) => `"${escapeForPdns(part)}"`)
    .join(' ');
}

function quoteForPdns(canonicalQuoted: string): string {
  const strings = parseQuotedStrings(canonicalQuoted);
  return `"${escapeForPdns(strings?.[0] ?? '')}"`;
}

function escapeForPdns(value: string): string {
  // eslint-disable-next-line no-control-regex
  return escapeTxt(value).replace(/[\x00-\x1f\x7f]/g, (c) => `\\${String(c.charCodeAt(0)).padStart(3, '0')}`);
}
