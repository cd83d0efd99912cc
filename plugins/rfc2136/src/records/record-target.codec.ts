import { isIPv4 } from 'node:net';
import * as dnsPacket from 'dns-packet';
import {
  canonicalIpv6,
  escapeTxt,
  formatTxtTarget,
  normalizeDnsName,
  splitTxtValue,
  txtTargetValue,
} from '@dnsgate/plugin-sdk';
import { TYPE } from '../dns/dns-constants.js';
import { MalformedMessageError } from '../dns/dns-message.reader.js';
import { encodeName, isEncodableName } from '../dns/wire-name.codec.js';

/** A target that cannot be written as rdata of its type. */
export class InvalidTargetError extends Error {
  override readonly name = 'InvalidTargetError';
}

/**
 * How one record type's targets are written: the canonical presentation
 * text (what Records reports and AdjustEndpoints produces), its rdata, and
 * the canonical text of rdata read from the server.
 */
export interface TargetCodec {
  readonly type: number;
  /** The canonical form of a target ExternalDNS sent; throws InvalidTargetError. */
  canonical(target: string): string;
  /** Rdata (without its length) for a canonical target. */
  toRdata(canonical: string): Buffer;
  /** The length of every target's rdata, for types where it is fixed: sizes known without encoding. */
  readonly rdataLength?: number;
  /** The canonical target for rdata at `offset` (its length field) in `message`. */
  fromWire(message: Buffer, offset: number): string;
}

const packet = dnsPacket as unknown as {
  record(type: string): { decode(buf: Buffer, offset: number): unknown };
};

function u16(value: number): Buffer {
  const buf = Buffer.alloc(2);
  buf.writeUInt16BE(value, 0);
  return buf;
}

function characterString(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length > 255) throw new InvalidTargetError(`a character-string is at most 255 bytes, got ${bytes.length}`);
  return Buffer.concat([Buffer.from([bytes.length]), bytes]);
}

function uint(text: string | undefined, max: number, what: string): number {
  if (text === undefined || !/^\d+$/.test(text) || Number(text) > max) {
    throw new InvalidTargetError(`${what} must be an integer from 0 to ${max}, got ${JSON.stringify(text ?? '')}`);
  }
  return Number(text);
}

/** A host name target: lower case, no trailing dot. */
function canonicalHost(text: string | undefined, what: string, allowRoot = false): string {
  const trimmed = (text ?? '').trim();
  if (allowRoot && trimmed === '.') return '.';
  const name = normalizeDnsName(trimmed);
  if (name === '' || name === '.' || /\s/.test(name) || !isEncodableName(name)) {
    throw new InvalidTargetError(`${what} ${JSON.stringify(text ?? '')} is not a valid domain name`);
  }
  return name;
}

/** Splits presentation text into tokens; quoted strings keep their (unescaped) content. */
export function tokenize(text: string): { value: string; quoted: boolean }[] {
  const tokens: { value: string; quoted: boolean }[] = [];
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i]!)) {
      i++;
      continue;
    }
    if (text[i] === '"') {
      i++;
      const bytes: number[] = [];
      let closed = false;
      while (i < text.length) {
        const c = text[i]!;
        if (c === '\\') {
          const digits = text.slice(i + 1, i + 4);
          if (/^\d{3}$/.test(digits) && Number(digits) < 256) {
            bytes.push(Number(digits));
            i += 4;
          } else if (i + 1 < text.length) {
            const next = String.fromCodePoint(text.codePointAt(i + 1)!);
            bytes.push(...Buffer.from(next));
            i += 1 + next.length;
          } else {
            throw new InvalidTargetError('a dangling backslash');
          }
        } else if (c === '"') {
          closed = true;
          i++;
          break;
        } else {
          const char = String.fromCodePoint(text.codePointAt(i)!);
          bytes.push(...Buffer.from(char));
          i += char.length;
        }
      }
      if (!closed) throw new InvalidTargetError('an unterminated quoted string');
      tokens.push({ value: Buffer.from(bytes).toString('utf8'), quoted: true });
    } else {
      let j = i;
      while (j < text.length && !/\s/.test(text[j]!)) j++;
      tokens.push({ value: text.slice(i, j), quoted: false });
      i = j;
    }
  }
  return tokens;
}

function quote(value: string): string {
  return `"${escapeTxt(value)}"`;
}

const a: TargetCodec = {
  type: TYPE.A,
  rdataLength: 4,
  canonical(target) {
    const text = target.trim();
    if (!isIPv4(text)) throw new InvalidTargetError(`${JSON.stringify(target)} is not an IPv4 address`);
    // isIPv4 takes only dotted decimal without leading zeros: the text is already canonical.
    return text;
  },
  toRdata(canonical) {
    const rdata = Buffer.allocUnsafe(4);
    let octet = 0;
    let index = 0;
    for (let i = 0; i < canonical.length; i++) {
      const c = canonical.charCodeAt(i);
      if (c === 46) {
        rdata[index++] = octet;
        octet = 0;
      } else octet = octet * 10 + (c - 48);
    }
    rdata[index] = octet;
    return rdata;
  },
  fromWire: ipv4Text,
};

/** "0".."255", each with its dot and without: the pieces of a dotted quad, made once. */
const OCTET = Array.from({ length: 256 }, (_, octet) => String(octet));
const OCTET_DOT = OCTET.map((octet) => `${octet}.`);

/**
 * The dotted quad of an A record's rdata (at its length field `offset`),
 * joined from the octets' strings made once instead of formatting four
 * numbers per record: measured on the rdata of 100k A records, 8–11 ms
 * instead of 20–30 ms (loaded 2-core machine), with fewer intermediate
 * strings for the GC.
 */
export function ipv4Text(message: Buffer, offset: number): string {
  rdataOfLength(message, offset, 4, 'an A record');
  return (
    OCTET_DOT[message[offset + 2]!]! +
    OCTET_DOT[message[offset + 3]!]! +
    OCTET_DOT[message[offset + 4]!]! +
    OCTET[message[offset + 5]!]!
  );
}

/** Throws unless the rdata at `offset` (its length field) is `length` bytes: an address read past it would be another's. */
function rdataOfLength(message: Buffer, offset: number, length: number, what: string): void {
  if (message.readUInt16BE(offset) !== length)
    throw new MalformedMessageError(`${what} whose rdata is not ${length} bytes`);
}

const aaaa: TargetCodec = {
  type: TYPE.AAAA,
  rdataLength: 16,
  canonical(target) {
    const canonical = canonicalIpv6(target);
    if (canonical === undefined) throw new InvalidTargetError(`${JSON.stringify(target)} is not an IPv6 address`);
    return canonical;
  },
  toRdata: (canonical) => ipv6Bytes(canonical),
  fromWire: (message, offset) => {
    rdataOfLength(message, offset, 16, 'an AAAA record');
    return ipv6Text(message.subarray(offset + 2, offset + 18));
  },
};

function ipv6Bytes(text: string): Buffer {
  let head = text;
  let v4: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    v4 = text
      .slice(lastColon + 1)
      .split('.')
      .map(Number);
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined];
  const parse = (part: string | undefined): number[] => (part ? part.split(':').map((h) => parseInt(h, 16)) : []);
  const l = parse(left);
  const r = parse(right);
  const groups = right === undefined ? l : [...l, ...new Array<number>(8 - l.length - r.length).fill(0), ...r];
  const buf = Buffer.alloc(16);
  groups.forEach((g, i) => buf.writeUInt16BE(g, i * 2));
  if (v4.length === 4) v4.forEach((b, i) => (buf[12 + i] = b));
  return buf;
}

/**
 * The text of 16 address bytes in the one canonical form AdjustEndpoints
 * also gives (the SDK's canonicalIpv6), so what is read back compares equal
 * to what was written.
 */
function ipv6Text(bytes: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return canonicalIpv6(groups.join(':'))!;
}

function nameCodec(type: number, what: string): TargetCodec {
  return {
    type,
    canonical: (target) => canonicalHost(target, what),
    toRdata: (canonical) => encodeName(canonical),
    fromWire: (message, offset) => normalizeDnsName(packet.record('CNAME').decode(message, offset) as string),
  };
}

const mx: TargetCodec = {
  type: TYPE.MX,
  canonical(target) {
    const parts = target.trim().split(/\s+/);
    if (parts.length !== 2)
      throw new InvalidTargetError(`MX target ${JSON.stringify(target)} must be "preference host"`);
    return `${uint(parts[0], 65535, 'MX preference')} ${canonicalHost(parts[1], 'MX exchange')}`;
  },
  toRdata(canonical) {
    const [preference, host] = canonical.split(' ');
    return Buffer.concat([u16(Number(preference)), encodeName(host!)]);
  },
  fromWire(message, offset) {
    const data = packet.record('MX').decode(message, offset) as dnsPacket.MxData;
    return `${data.preference} ${normalizeDnsName(data.exchange)}`;
  },
};

const srv: TargetCodec = {
  type: TYPE.SRV,
  canonical(target) {
    const parts = target.trim().split(/\s+/);
    if (parts.length !== 4) {
      throw new InvalidTargetError(`SRV target ${JSON.stringify(target)} must be "priority weight port host"`);
    }
    const target4 = parts[3] === '.' ? '.' : canonicalHost(parts[3], 'SRV target');
    return `${uint(parts[0], 65535, 'SRV priority')} ${uint(parts[1], 65535, 'SRV weight')} ${uint(parts[2], 65535, 'SRV port')} ${target4}`;
  },
  toRdata(canonical) {
    const [priority, weight, port, host] = canonical.split(' ');
    return Buffer.concat([u16(Number(priority)), u16(Number(weight)), u16(Number(port)), encodeName(host!)]);
  },
  fromWire(message, offset) {
    const data = packet.record('SRV').decode(message, offset) as dnsPacket.SrvData;
    return `${data.priority ?? 0} ${data.weight ?? 0} ${data.port} ${data.target === '.' ? '.' : normalizeDnsName(data.target)}`;
  },
};

const naptr: TargetCodec = {
  type: TYPE.NAPTR,
  canonical(target) {
    const tokens = tokenize(target);
    if (tokens.length !== 6) {
      throw new InvalidTargetError(
        `NAPTR target ${JSON.stringify(target)} must be 'order preference "flags" "services" "regexp" replacement'`,
      );
    }
    const [order, preference, flags, services, regexp, replacement] = tokens as [
      (typeof tokens)[0],
      (typeof tokens)[0],
      (typeof tokens)[0],
      (typeof tokens)[0],
      (typeof tokens)[0],
      (typeof tokens)[0],
    ];
    for (const s of [flags, services, regexp]) characterString(s.value);
    return [
      uint(order.value, 65535, 'NAPTR order'),
      uint(preference.value, 65535, 'NAPTR preference'),
      quote(flags.value),
      quote(services.value),
      quote(regexp.value),
      canonicalHost(replacement.value, 'NAPTR replacement', true),
    ].join(' ');
  },
  toRdata(canonical) {
    const tokens = tokenize(canonical);
    const v = tokens.map((t) => t.value);
    return Buffer.concat([
      u16(Number(v[0])),
      u16(Number(v[1])),
      characterString(v[2]!),
      characterString(v[3]!),
      characterString(v[4]!),
      encodeName(v[5]!),
    ]);
  },
  fromWire(message, offset) {
    const data = packet.record('NAPTR').decode(message, offset) as dnsPacket.NaptrData;
    const replacement = data.replacement === '.' || data.replacement === '' ? '.' : normalizeDnsName(data.replacement);
    return `${data.order} ${data.preference} ${quote(data.flags)} ${quote(data.services)} ${quote(data.regexp)} ${replacement}`;
  },
};

const caa: TargetCodec = {
  type: TYPE.CAA,
  canonical(target) {
    const tokens = tokenize(target);
    if (tokens.length !== 3 || tokens[1]!.quoted) {
      throw new InvalidTargetError(`CAA target ${JSON.stringify(target)} must be 'flags tag "value"'`);
    }
    const tag = tokens[1]!.value.toLowerCase();
    if (!/^[a-z0-9]{1,15}$/.test(tag))
      throw new InvalidTargetError(`CAA tag ${JSON.stringify(tag)} must be 1-15 letters or digits`);
    return `${uint(tokens[0]!.value, 255, 'CAA flags')} ${tag} ${quote(tokens[2]!.value)}`;
  },
  toRdata(canonical) {
    const tokens = tokenize(canonical);
    return Buffer.concat([
      Buffer.from([Number(tokens[0]!.value)]),
      characterString(tokens[1]!.value),
      Buffer.from(tokens[2]!.value, 'utf8'),
    ]);
  },
  fromWire(message, offset) {
    const data = packet.record('CAA').decode(message, offset) as dnsPacket.CaaData;
    return `${data.flags ?? 0} ${data.tag.toLowerCase()} ${quote(data.value)}`;
  },
};

/** The longest TXT value (in UTF-8 bytes) dnsgate writes: it keeps one RR well inside a TCP message. */
export const MAX_TXT_BYTES = 16_000;

const txt: TargetCodec = {
  type: TYPE.TXT,
  canonical(target) {
    const value = txtTargetValue(target);
    if (Buffer.byteLength(value) > MAX_TXT_BYTES) {
      throw new InvalidTargetError(
        `a TXT value of ${Buffer.byteLength(value)} bytes is over dnsgate's limit of ${MAX_TXT_BYTES}`,
      );
    }
    return formatTxtTarget(value);
  },
  toRdata(canonical) {
    return Buffer.concat(splitTxtValue(txtTargetValue(canonical)).map(characterString));
  },
  fromWire(message, offset) {
    const strings = packet.record('TXT').decode(message, offset) as Buffer[];
    return formatTxtTarget(Buffer.concat(strings).toString('utf8'));
  },
};

/** The record types this plugin manages, by name. */
export const TARGET_CODECS: Readonly<Record<string, TargetCodec>> = {
  A: a,
  AAAA: aaaa,
  CNAME: nameCodec(TYPE.CNAME, 'CNAME target'),
  DNAME: nameCodec(TYPE.DNAME, 'DNAME target'),
  NS: nameCodec(TYPE.NS, 'NS target'),
  PTR: nameCodec(TYPE.PTR, 'PTR target'),
  MX: mx,
  SRV: srv,
  NAPTR: naptr,
  CAA: caa,
  TXT: txt,
};

export const MANAGED_RECORD_TYPES = Object.keys(TARGET_CODECS);

const TYPE_NAMES = new Map<number, string>(Object.entries(TARGET_CODECS).map(([name, codec]) => [codec.type, name]));

/** The managed type's name for a type number, or undefined for types dnsgate leaves alone. */
export function managedTypeName(type: number): string | undefined {
  return TYPE_NAMES.get(type);
}

/** The target text of an RR of a managed type, from its rdata (at its length field `rdataOffset`). */
export function targetOf(type: string, message: Buffer, rdataOffset: number): string {
  return TARGET_CODECS[type]!.fromWire(message, rdataOffset);
}
