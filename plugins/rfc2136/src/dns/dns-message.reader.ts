import { TYPE } from './dns-constants.js';
import { readName, skipName } from './wire-name.codec.js';

/** The TSIG RR of a message, decoded (RFC 8945 4.2). */
export interface TsigRecord {
  /** Offset of the TSIG RR's first byte in the message. */
  offset: number;
  keyName: string;
  algorithm: string;
  /** Seconds since the epoch (48 bits). */
  timeSigned: number;
  fudge: number;
  mac: Buffer;
  originalId: number;
  error: number;
  otherData: Buffer;
}

/** The header fields and section layout of one DNS message. */
export interface MessageLayout {
  id: number;
  isResponse: boolean;
  opcode: number;
  rcode: number;
  qdcount: number;
  ancount: number;
  nscount: number;
  arcount: number;
  /** Offset of the first answer-section RR. */
  answerOffset: number;
  /** The TSIG RR, when it is the last additional RR. */
  tsig?: TsigRecord;
}

export class MalformedMessageError extends Error {
  override readonly name = 'MalformedMessageError';
}

/** Walks a message's sections without decoding the records. */
export function readMessageLayout(buf: Buffer): MessageLayout {
  try {
    if (buf.length < 12) throw new MalformedMessageError('message shorter than its header');
    const flags = buf.readUInt16BE(2);
    const layout: MessageLayout = {
      id: buf.readUInt16BE(0),
      isResponse: (flags & 0x8000) !== 0,
      opcode: (flags >> 11) & 0xf,
      rcode: flags & 0xf,
      qdcount: buf.readUInt16BE(4),
      ancount: buf.readUInt16BE(6),
      nscount: buf.readUInt16BE(8),
      arcount: buf.readUInt16BE(10),
      answerOffset: 0,
    };
    let offset = 12;
    for (let i = 0; i < layout.qdcount; i++) offset = skipName(buf, offset) + 4;
    layout.answerOffset = offset;
    const rrs = layout.ancount + layout.nscount + layout.arcount;
    let lastStart = -1;
    let lastType = -1;
    for (let i = 0; i < rrs; i++) {
      lastStart = offset;
      offset = skipName(buf, offset);
      if (offset + 10 > buf.length) throw new MalformedMessageError('truncated resource record');
      lastType = buf.readUInt16BE(offset);
      const rdlength = buf.readUInt16BE(offset + 8);
      offset += 10 + rdlength;
      if (offset > buf.length) throw new MalformedMessageError('truncated rdata');
    }
    if (layout.arcount > 0 && lastType === TYPE.TSIG) layout.tsig = readTsig(buf, lastStart);
    return layout;
  } catch (error) {
    if (error instanceof MalformedMessageError) throw error;
    throw new MalformedMessageError(`malformed DNS message: ${(error as Error).message}`);
  }
}

function readTsig(buf: Buffer, start: number): TsigRecord {
  const keyName = readName(buf, start);
  let offset = skipName(buf, start) + 10; // type, class, ttl, rdlength
  const algorithm = readName(buf, offset);
  offset = skipName(buf, offset);
  const timeSigned = buf.readUIntBE(offset, 6);
  const fudge = buf.readUInt16BE(offset + 6);
  const macSize = buf.readUInt16BE(offset + 8);
  offset += 10;
  const mac = buf.subarray(offset, offset + macSize);
  offset += macSize;
  const originalId = buf.readUInt16BE(offset);
  const error = buf.readUInt16BE(offset + 2);
  const otherLen = buf.readUInt16BE(offset + 4);
  const otherData = buf.subarray(offset + 6, offset + 6 + otherLen);
  if (offset + 6 + otherLen > buf.length) throw new MalformedMessageError('truncated TSIG record');
  return { offset: start, keyName, algorithm, timeSigned, fudge, mac, originalId, error, otherData };
}

/**
 * The message as it was before the TSIG RR was added: the TSIG RR cut off,
 * ARCOUNT decremented and the ID set back to the original ID (RFC 8945 4.3.1).
 */
export function stripTsig(buf: Buffer, tsig: TsigRecord): Buffer {
  const stripped = Buffer.from(buf.subarray(0, tsig.offset));
  stripped.writeUInt16BE(tsig.originalId, 0);
  stripped.writeUInt16BE(stripped.readUInt16BE(10) - 1, 10);
  return stripped;
}
