import { CLASS_IN, OPCODE_QUERY, OPCODE_UPDATE, TYPE } from './dns-constants.js';
import { nameWireLength, writeName } from './wire-name.codec.js';

/**
 * One RR of an UPDATE message's prerequisite or update section (RFC 2136
 * 2.4, 2.5): class IN adds, class NONE deletes one RR (TTL 0), class ANY with
 * empty rdata deletes an RRset or asserts that one exists, class NONE with
 * empty rdata asserts that one does not.
 */
export interface WireRr {
  name: string;
  type: number;
  klass: number;
  ttl: number;
  /** Rdata without its length; empty for the empty-rdata forms. */
  rdata: Buffer;
}

export function encodeRr(rr: WireRr): Buffer {
  if (rr.rdata.length > 0xffff) throw new RangeError(`rdata of ${rr.name} is longer than 65535 bytes`);
  const nameLength = nameWireLength(rr.name);
  const buf = Buffer.allocUnsafe(nameLength + 10 + rr.rdata.length);
  const o = writeName(buf, 0, rr.name, nameLength);
  buf.writeUInt16BE(rr.type, o);
  buf.writeUInt16BE(rr.klass, o + 2);
  buf.writeUInt32BE(rr.ttl >>> 0, o + 4);
  buf.writeUInt16BE(rr.rdata.length, o + 8);
  rr.rdata.copy(buf, o + 10);
  return buf;
}

/** Writes a header at the start of `buf`; `buf` is at least 12 bytes. */
function writeHeader(buf: Buffer, id: number, opcode: number, counts: [number, number, number, number]): void {
  buf.writeUInt16BE(id, 0);
  buf.writeUInt16BE(opcode << 11, 2);
  for (let i = 0; i < 4; i++) buf.writeUInt16BE(counts[i]!, 4 + 2 * i);
}

/** A header, then one question-shaped entry (`name`, `type`, class IN), then `rest`; one allocation. */
function message(
  id: number,
  opcode: number,
  counts: [number, number, number, number],
  name: string,
  type: number,
  rest: readonly Buffer[],
): Buffer {
  const nameLength = nameWireLength(name);
  let total = 12 + nameLength + 4;
  for (const part of rest) total += part.length;
  const buf = Buffer.allocUnsafe(total);
  writeHeader(buf, id, opcode, counts);
  let o = writeName(buf, 12, name, nameLength);
  buf.writeUInt16BE(type, o);
  buf.writeUInt16BE(CLASS_IN, o + 2);
  o += 4;
  for (const part of rest) o += part.copy(buf, o);
  return buf;
}

/** An UPDATE message (opcode 5) for `zone`, unsigned. Encoded RRs can be passed to avoid re-encoding. */
export function buildUpdateMessage(
  id: number,
  zone: string,
  prerequisites: readonly Buffer[],
  updates: readonly Buffer[],
): Buffer {
  if (prerequisites.length > 0xffff || updates.length > 0xffff) throw new RangeError('too many RRs for one message');
  return message(id, OPCODE_UPDATE, [1, prerequisites.length, updates.length, 0], zone, TYPE.SOA, [
    ...prerequisites,
    ...updates,
  ]);
}

/** A query (opcode 0) for one name and type, class IN, no recursion. */
export function buildQuery(id: number, name: string, type: number): Buffer {
  return message(id, OPCODE_QUERY, [1, 0, 0, 0], name, type, []);
}

/**
 * An IXFR query (RFC 1995 3) for `zone`: the question, and in the authority
 * section the SOA of the version the client holds. Only that SOA's serial
 * matters to the server; its names are the root and its timers zero, as
 * dig sends them.
 */
export function buildIxfrQuery(id: number, zone: string, serial: number): Buffer {
  const rdata = Buffer.alloc(22); // MNAME and RNAME the root (one zero byte each), then five 32-bit fields
  rdata.writeUInt32BE(serial >>> 0, 2);
  const soa = encodeRr({ name: zone, type: TYPE.SOA, klass: CLASS_IN, ttl: 0, rdata });
  return message(id, OPCODE_QUERY, [1, 0, 1, 0], zone, TYPE.IXFR, [soa]);
}

/** The size of the message header plus the zone section, for budgeting message sizes. */
export function updateOverhead(zone: string): number {
  return 12 + nameWireLength(zone) + 4;
}
