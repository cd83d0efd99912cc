import { CLASS_IN, OPCODE_QUERY, OPCODE_UPDATE, TYPE } from './dns-constants.js';
import { encodeName } from './wire-name.codec.js';

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
  const name = encodeName(rr.name);
  const buf = Buffer.allocUnsafe(name.length + 10 + rr.rdata.length);
  name.copy(buf, 0);
  const o = name.length;
  buf.writeUInt16BE(rr.type, o);
  buf.writeUInt16BE(rr.klass, o + 2);
  buf.writeUInt32BE(rr.ttl >>> 0, o + 4);
  buf.writeUInt16BE(rr.rdata.length, o + 8);
  rr.rdata.copy(buf, o + 10);
  return buf;
}

function header(id: number, opcode: number, counts: [number, number, number, number]): Buffer {
  const buf = Buffer.alloc(12);
  buf.writeUInt16BE(id, 0);
  buf.writeUInt16BE(opcode << 11, 2);
  counts.forEach((count, i) => buf.writeUInt16BE(count, 4 + 2 * i));
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
  const zoneSection = Buffer.concat([encodeName(zone), Buffer.from([0, TYPE.SOA, 0, CLASS_IN])]);
  return Buffer.concat([
    header(id, OPCODE_UPDATE, [1, prerequisites.length, updates.length, 0]),
    zoneSection,
    ...prerequisites,
    ...updates,
  ]);
}

/** A query (opcode 0) for one name and type, class IN, no recursion. */
export function buildQuery(id: number, name: string, type: number): Buffer {
  const question = Buffer.concat([encodeName(name), Buffer.from([type >> 8, type & 0xff, 0, CLASS_IN])]);
  return Buffer.concat([header(id, OPCODE_QUERY, [1, 0, 0, 0]), question]);
}

/** The size of the message header plus the zone section, for budgeting message sizes. */
export function updateOverhead(zone: string): number {
  return 12 + encodeName(zone).length + 4;
}
