import type { TransferRr } from '../dns/zone-transfer.reader.js';
import { TYPE } from '../dns/dns-constants.js';
import { MessageNames, encodeName } from '../dns/wire-name.codec.js';
import { TARGET_CODECS } from './record-target.codec.js';

/**
 * An RR as a transfer hands it out: in a message of its own, its owner name
 * first (at offset 0, as `name` is written: any case), then its type, class,
 * TTL and rdata (with its length) at `rdataOffset`.
 */
export function rr(name: string, type: keyof typeof TYPE, ttl: number, target: string): TransferRr {
  const rdata = type === 'SOA' || !TARGET_CODECS[type] ? Buffer.alloc(22) : TARGET_CODECS[type].toRdata(target);
  const owner = encodeName(name);
  const fields = Buffer.alloc(10);
  fields.writeUInt16BE(TYPE[type], 0);
  fields.writeUInt16BE(1, 2);
  fields.writeUInt32BE(ttl, 4);
  fields.writeUInt16BE(rdata.length, 8);
  const message = Buffer.concat([owner, fields, rdata]);
  return { name, type: TYPE[type], ttl, message, rdataOffset: owner.length + 8 };
}

/** The names of `record`'s message, as the transport reads them, and where its owner name is. */
export function ownerOf(record: TransferRr): { names: MessageNames; nameOffset: number } {
  const names = new MessageNames();
  names.startMessage(record.message);
  return { names, nameOffset: 0 };
}
