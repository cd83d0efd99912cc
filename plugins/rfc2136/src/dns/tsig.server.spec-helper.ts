import { CLASS_ANY, TYPE } from './dns-constants.js';
import type { TsigKey } from './tsig.signer.js';
import { encodeName } from './wire-name.codec.js';

// For specs only (excluded from the build): the server's side of TSIG, which dnsgate never plays.

/**
 * A server side of RFC 8945 5.3.1, to build signed answers: the first
 * message of an answer over the request's MAC and the full variables, each
 * later one over the previous MAC, the unsigned messages since, and the
 * timers only.
 */
export function serverSign(
  key: TsigKey,
  message: Buffer,
  previousMac: Buffer,
  first: boolean,
  timeSigned: number,
  unsignedBefore: Buffer[] = [],
): { message: Buffer; mac: Buffer } {
  const u16 = (v: number) => Buffer.from([v >> 8, v & 0xff]);
  const time = Buffer.alloc(6);
  time.writeUIntBE(timeSigned, 0, 6);
  const variables = first
    ? Buffer.concat([
        encodeName(key.name),
        u16(CLASS_ANY),
        Buffer.alloc(4),
        encodeName(key.algorithm),
        time,
        u16(300),
        u16(0),
        u16(0),
      ])
    : Buffer.concat([time, u16(300)]);
  const mac = key.hmac([u16(previousMac.length), previousMac, ...unsignedBefore, message, variables]);
  const rdata = Buffer.concat([
    encodeName(key.algorithm),
    time,
    u16(300),
    u16(mac.length),
    mac,
    message.subarray(0, 2),
    u16(0),
    u16(0),
  ]);
  const rr = Buffer.concat([
    encodeName(key.name),
    u16(TYPE.TSIG),
    u16(CLASS_ANY),
    Buffer.alloc(4),
    u16(rdata.length),
    rdata,
  ]);
  const signed = Buffer.concat([message, rr]);
  signed.writeUInt16BE(signed.readUInt16BE(10) + 1, 10);
  return { message: signed, mac };
}
