import * as fc from 'fast-check';
import type { Endpoint } from '@dnsgate/protocol';

/**
 * fast-check arbitraries for endpoints as ExternalDNS sends them: valid
 * targets for every record type, in the presentation form its sources
 * produce. A plugin's AdjustEndpoints is expected to map any of these to the
 * form its Records reports; the values are deliberately plain enough that
 * every real DNS server accepts them, so a failure points at the plugin.
 */

/** The record types the generators know, with the form of one target. */
export const GENERATED_RECORD_TYPES = [
  'A',
  'AAAA',
  'CNAME',
  'TXT',
  'MX',
  'SRV',
  'NS',
  'PTR',
  'CAA',
  'NAPTR',
  'DNAME',
] as const;

export type GeneratedRecordType = (typeof GENERATED_RECORD_TYPES)[number];

/** Record types that can hold only one target per name. */
export const SINGLE_TARGET_RECORD_TYPES: ReadonlySet<string> = new Set(['CNAME', 'DNAME']);

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const LETTERS_DIGITS = `${LETTERS}0123456789`;

/** One lower-case DNS label: starts with a letter, ends with a letter or digit, inner dashes allowed. */
export function dnsLabelArbitrary(maxLength = 20): fc.Arbitrary<string> {
  const head = fc.constantFrom(...LETTERS);
  const middle = fc.string({ unit: fc.constantFrom(...`${LETTERS_DIGITS}-`), maxLength: Math.max(0, maxLength - 2) });
  const tail = fc.constantFrom(...LETTERS_DIGITS);
  return fc
    .tuple(head, middle, fc.option(tail, { nil: '' }))
    .map(([h, m, t]) => (t === '' ? h + m.replace(/-+$/, '') : h + m + t));
}

/** A host name under `domain` (default `example.com`) with one to three labels, without a trailing dot. */
export function hostnameArbitrary(domain = 'example.com'): fc.Arbitrary<string> {
  return fc
    .array(dnsLabelArbitrary(12), { minLength: 1, maxLength: 3 })
    .map((labels) => `${labels.join('.')}.${domain}`);
}

/** A unicast IPv4 address in dotted-quad form, without leading zeros. */
export function ipv4Arbitrary(): fc.Arbitrary<string> {
  return fc
    .tuple(fc.integer({ min: 1, max: 223 }), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 254 }))
    .filter(([first]) => first !== 127)
    .map((octets) => octets.join('.'));
}

/** A global unicast IPv6 address in the canonical text form of RFC 5952 (lower case, longest zero run compressed). */
export function ipv6Arbitrary(): fc.Arbitrary<string> {
  const group = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
  return fc
    .tuple(fc.integer({ min: 0x2000, max: 0x3fff }), fc.array(group, { minLength: 7, maxLength: 7 }))
    .map(([first, rest]) => formatIpv6([first, ...rest]));
}

/** Formats eight 16-bit groups the way RFC 5952 says (and Go's net.IP.String does). */
export function formatIpv6(groups: readonly number[]): string {
  if (groups.length !== 8) throw new RangeError(`an IPv6 address has 8 groups, got ${groups.length}`);
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  // A single zero group is not compressed (RFC 5952 4.2.2).
  if (bestLength < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

const TXT_CHARS = `${LETTERS_DIGITS}ABCDEFXYZ =-,/.:;"_+@`;

/**
 * A TXT target as ExternalDNS sends one: either a raw value (which may hold
 * spaces and double quotes) or a value wrapped in literal double quotes, the
 * way its TXT registry writes `"heritage=external-dns,…"`. Backslashes are
 * left out: backends disagree on whether `\DDD` in a raw value is an escape.
 */
export function txtTargetArbitrary(): fc.Arbitrary<string> {
  const value = fc
    .string({ unit: fc.constantFrom(...TXT_CHARS), minLength: 1, maxLength: 80 })
    .map((text) => text.trim())
    .filter((text) => text !== '' && !text.startsWith('"') && !text.endsWith('"'));
  const registry = fc
    .tuple(dnsLabelArbitrary(10), fc.constantFrom('A', 'AAAA', 'CNAME'))
    .map(
      ([owner, type]) =>
        `"heritage=external-dns,external-dns/owner=${owner},external-dns/resource=${type.toLowerCase()}"`,
    );
  const quoted = value.filter((text) => !text.includes('"')).map((text) => `"${text}"`);
  return fc.oneof(value, quoted, registry);
}

/** `<preference> <exchange>`, e.g. `10 mail.example.com`. */
export function mxTargetArbitrary(): fc.Arbitrary<string> {
  return fc.tuple(fc.integer({ min: 0, max: 65535 }), hostnameArbitrary()).map(([pref, host]) => `${pref} ${host}`);
}

/** `<priority> <weight> <port> <target>`, e.g. `10 5 443 target.example.com`. */
export function srvTargetArbitrary(): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.integer({ min: 0, max: 65535 }),
      fc.integer({ min: 0, max: 65535 }),
      fc.integer({ min: 1, max: 65535 }),
      hostnameArbitrary(),
    )
    .map(([priority, weight, port, host]) => `${priority} ${weight} ${port} ${host}`);
}

/** `<flags> <tag> "<value>"`, e.g. `0 issue "letsencrypt.org"`. */
export function caaTargetArbitrary(): fc.Arbitrary<string> {
  const issue = fc
    .tuple(fc.constantFrom('issue', 'issuewild'), fc.constantFrom('letsencrypt.org', 'pki.goog', 'sectigo.com', ';'))
    .map(([tag, ca]) => `${tag} "${ca}"`);
  const iodef = dnsLabelArbitrary(10).map((user) => `iodef "mailto:${user}@example.com"`);
  return fc.tuple(fc.constantFrom(0, 128), fc.oneof(issue, iodef)).map(([flags, rest]) => `${flags} ${rest}`);
}

/**
 * `<order> <preference> "<flags>" "<service>" "<regexp>" <replacement>`:
 * either a regexp with `.` as replacement, or an empty regexp with a host.
 */
export function naptrTargetArbitrary(): fc.Arbitrary<string> {
  const numbers = fc.tuple(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 }));
  const rewrite = fc
    .tuple(fc.constantFrom('u'), fc.constantFrom('E2U+sip', 'E2U+email'), dnsLabelArbitrary(10))
    .map(([flags, service, user]) => `"${flags}" "${service}" "!^.*$!sip:${user}@example.com!" .`);
  const replace = fc
    .tuple(fc.constantFrom('s', 'a'), fc.constantFrom('SIP+D2U', 'SIPS+D2T'), hostnameArbitrary())
    .map(([flags, service, host]) => `"${flags}" "${service}" "" ${host}`);
  return fc.tuple(numbers, fc.oneof(rewrite, replace)).map(([[order, pref], rest]) => `${order} ${pref} ${rest}`);
}

/** One valid target of `recordType`. */
export function recordTargetArbitrary(recordType: string): fc.Arbitrary<string> {
  switch (recordType.toUpperCase()) {
    case 'A':
      return ipv4Arbitrary();
    case 'AAAA':
      return ipv6Arbitrary();
    case 'CNAME':
    case 'NS':
    case 'PTR':
    case 'DNAME':
      return hostnameArbitrary();
    case 'TXT':
      return txtTargetArbitrary();
    case 'MX':
      return mxTargetArbitrary();
    case 'SRV':
      return srvTargetArbitrary();
    case 'CAA':
      return caaTargetArbitrary();
    case 'NAPTR':
      return naptrTargetArbitrary();
    default:
      throw new RangeError(`no target generator for record type ${recordType}`);
  }
}

export interface EndpointArbitraryOptions {
  recordType: string;
  /** The zones names are generated under (one is picked per endpoint). */
  zones: readonly string[];
  /** A label put first in every name, so generated records never meet the zone's own (default `ck`). */
  namePrefix?: string;
  /** Most targets per endpoint for multi-target types (default 3). */
  maxTargets?: number;
  /** TTLs drawn from this range; `undefined` leaves some endpoints without one (default 60–86400). */
  ttl?: { min: number; max: number };
}

/**
 * An endpoint of one type under one of `zones`: a fresh name (never the
 * apex), distinct targets, and a TTL or none.
 */
export function endpointArbitrary(options: EndpointArbitraryOptions): fc.Arbitrary<Endpoint> {
  if (options.zones.length === 0) throw new RangeError('endpointArbitrary needs at least one zone');
  const prefix = options.namePrefix ?? 'ck';
  const single = SINGLE_TARGET_RECORD_TYPES.has(options.recordType.toUpperCase());
  const maxTargets = single ? 1 : Math.max(1, options.maxTargets ?? 3);
  const ttl = options.ttl ?? { min: 60, max: 86400 };
  return fc
    .record({
      zone: fc.constantFrom(...options.zones),
      label: dnsLabelArbitrary(16),
      targets: fc.uniqueArray(recordTargetArbitrary(options.recordType), {
        minLength: 1,
        maxLength: maxTargets,
        // Backends compare targets without regard to case.
        selector: (target) => target.toLowerCase(),
      }),
      recordTTL: fc.option(fc.integer(ttl), { nil: undefined }),
    })
    .map(({ zone, label, targets, recordTTL }) => {
      const endpoint: Endpoint = {
        dnsName: `${prefix}-${label}.${zone}`,
        targets,
        recordType: options.recordType.toUpperCase(),
      };
      if (recordTTL !== undefined) endpoint.recordTTL = recordTTL;
      return endpoint;
    });
}

/** Between `minLength` and `maxLength` endpoints of one type, with distinct names. */
export function endpointsArbitrary(
  options: EndpointArbitraryOptions & { minLength?: number; maxLength?: number },
): fc.Arbitrary<Endpoint[]> {
  return fc.uniqueArray(endpointArbitrary(options), {
    minLength: options.minLength ?? 1,
    maxLength: options.maxLength ?? 4,
    selector: (endpoint) => endpoint.dnsName,
  });
}

/**
 * Three fixed, distinct, valid targets per type, for the conformance
 * checks that need known values rather than generated ones.
 */
export const SAMPLE_TARGETS: Readonly<Record<GeneratedRecordType, readonly [string, string, string]>> = {
  A: ['192.0.2.1', '192.0.2.2', '192.0.2.3'],
  AAAA: ['2001:db8::1', '2001:db8::2', '2001:db8::3'],
  CNAME: ['target-one.example.com', 'target-two.example.com', 'target-three.example.com'],
  TXT: ['"v=conformance first"', '"heritage=external-dns,external-dns/owner=default"', 'say "hello" twice'],
  MX: ['10 mail-one.example.com', '20 mail-two.example.com', '30 mail-three.example.com'],
  SRV: ['10 5 443 target-one.example.com', '10 5 443 target-two.example.com', '20 0 8443 target-three.example.com'],
  NS: ['ns-one.example.com', 'ns-two.example.com', 'ns-three.example.com'],
  PTR: ['host-one.example.com', 'host-two.example.com', 'host-three.example.com'],
  CAA: ['0 issue "letsencrypt.org"', '0 issuewild "pki.goog"', '0 iodef "mailto:security@example.com"'],
  NAPTR: [
    '100 10 "u" "E2U+sip" "!^.*$!sip:one@example.com!" .',
    '100 20 "u" "E2U+sip" "!^.*$!sip:two@example.com!" .',
    '200 10 "s" "SIP+D2U" "" sip-three.example.com',
  ],
  DNAME: ['one.example.net', 'two.example.net', 'three.example.net'],
};

/** The fixed targets of `recordType`, or undefined for a type the generators do not know. */
export function sampleTargets(recordType: string): readonly [string, string, string] | undefined {
  const upper = recordType.toUpperCase();
  return (GENERATED_RECORD_TYPES as readonly string[]).includes(upper)
    ? SAMPLE_TARGETS[upper as GeneratedRecordType]
    : undefined;
}
