import type { TransferRr } from '../dns/zone-transfer.reader.js';
import { TYPE } from '../dns/dns-constants.js';
import { TARGET_CODECS } from './record-target.codec.js';

/** An RR as a transfer hands it out: rdata (with its length) in a message of its own. */
export function rr(name: string, type: keyof typeof TYPE, ttl: number, target: string): TransferRr {
  const rdata = type === 'SOA' || !TARGET_CODECS[type] ? Buffer.alloc(22) : TARGET_CODECS[type].toRdata(target);
  const message = Buffer.concat([Buffer.from([rdata.length >> 8, rdata.length & 0xff]), rdata]);
  return { name, type: TYPE[type], ttl, message, rdataOffset: 0 };
}
