import {
  RECORD_SET_JSON,
  SerialisedRecordsBuilder,
  endpointKey,
  jsonString,
  recordSetJson,
  recordSetJsonEnd,
  type Endpoint,
  type SerialisedRecords,
} from '@dnsgate/plugin-sdk';
import type { TransferSink } from '../dns/zone-transfer.reader.js';
import { plainNameString, plainNameText, type MessageNames } from '../dns/wire-name.codec.js';
import { compareNameBytes, compareNames } from './name-order.js';
import { managedTypeName, targetOf } from './record-target.codec.js';
import { ZoneScope } from './zone-scope.js';

const QUOTE = 0x22;
const COMMA = 0x2c;
const BEFORE_NAME = Buffer.from(RECORD_SET_JSON.beforeName);
const BEFORE_TARGETS = Buffer.from(RECORD_SET_JSON.beforeTargets);
/** The same around a plain name, with its quotes. */
const BEFORE_PLAIN_NAME = Buffer.from(`${RECORD_SET_JSON.beforeName}"`);
const AFTER_PLAIN_NAME = Buffer.from(`"${RECORD_SET_JSON.beforeTargets}`);
/** "0".."255" as bytes, each with its dot and without: an A record's target written from its rdata. */
const OCTET = Array.from({ length: 256 }, (_, octet) => Buffer.from(String(octet)));
const OCTET_DOT = Array.from({ length: 256 }, (_, octet) => Buffer.from(`${octet}.`));

/**
 * Writes one zone's transfer as the JSON of its record sets, as it is read:
 * the answer `ZoneRecordsCollector` gives, byte for byte, without an object
 * per record set (DnsPlugin.serialisedRecords). A set is written once the
 * RR after it has another name or type, into chunks of bytes cut at the end
 * of each message.
 *
 * An owner name of printable ASCII (the usual one) is copied from the
 * message as bytes (`plainNameText`), compared and written as bytes, and
 * a lone A target is written from its rdata: no string is made for either.
 * Any other name goes through `add` as the string the collector gets.
 * Measured on the 2-core machine, GET /records of a 100k-record BIND zone
 * alternated with `dig AXFR` of it (three runs each): 1.07–1.14× dig's query
 * time, instead of 1.19–1.26× for this writer when it made a string of each
 * name, target and set; the plugin alone (no HTTP) 1.00–1.01× instead of
 * 1.05–1.13×: it now waits for the server for most of the transfer.
 *
 * BIND sends a zone in name order with each RRset together, so every set
 * comes whole. A server that does not (a name back after another, or a
 * name's RRs of one type split by another type) makes sets come in pieces:
 * each piece is written as it comes, and at the end the pieces are merged
 * as the collector merges them (`mergedPieces`), at the cost of parsing the
 * answer once.
 */
export class ZoneAnswerWriter implements TransferSink {
  private readonly scope: ZoneScope;
  private readonly out = new ChunkedBytes();
  private count = 0;
  private readonly countsByType = new Map<string, number>();

  /** The current name: the first `nameLength` bytes of `nameText` where plain, else `name`. */
  private hasName = false;
  private nameIsPlain = false;
  private nameText = new Uint8Array(256);
  private nameLength = 0;
  private name = '';
  private nameBelongsHere = false;
  /** The incoming name, while it is compared with the current one. */
  private incoming = new Uint8Array(256);
  /** The types of the current name's sets, the first `typeCount`: one read again comes in pieces. */
  private readonly typesOfName: string[] = [];
  private typeCount = 0;

  /** The set being read: how many RRs, its type, lowest TTL; its first RR undecoded; its targets from the second on. */
  private rrs = 0;
  private type = '';
  private ttl = 0;
  private firstMessage: Buffer = Buffer.alloc(0);
  private firstRdata = 0;
  private targets: string[] = [];

  private inPieces = false;
  private finished?: SerialisedRecords;
  /** RRs of types dnsgate leaves alone. */
  unmanaged = 0;

  constructor(zone: string, allZones: readonly string[]) {
    this.scope = new ZoneScope(zone, allZones);
  }

  /** How many record sets the zone holds; once the transfer is read. */
  get size(): number {
    return this.result().count;
  }

  addAt(
    names: MessageNames,
    nameOffset: number,
    type: number,
    ttl: number,
    message: Buffer,
    rdataOffset: number,
  ): void {
    const typeName = managedTypeName(type);
    if (!typeName) {
      this.unmanaged++;
      return;
    }
    const length = this.scope.zoneText ? plainNameText(message, nameOffset, this.incoming) : -1;
    if (length < 0) {
      this.add(names.read(nameOffset), type, ttl, message, rdataOffset);
      return;
    }
    if (typeName === 'NS' && this.scope.isApexText(this.incoming, length)) return;
    const sameName = this.nameIsPlain && length === this.nameLength && sameBytes(this.incoming, this.nameText, length);
    if (!sameName) {
      const order = !this.hasName
        ? -1
        : this.nameIsPlain
          ? compareNameBytes(this.nameText, this.nameLength, this.incoming, length)
          : compareNames(this.name, plainNameString(this.incoming, length));
      this.nextName(order, length, '');
      this.nameBelongsHere = this.scope.belongsHereText(this.nameText, length);
    }
    this.take(sameName, typeName, ttl, message, rdataOffset);
  }

  add(name: string, type: number, ttl: number, message: Buffer, rdataOffset: number): void {
    const typeName = this.scope.typeOf(name, type);
    if (!typeName) {
      if (!managedTypeName(type)) this.unmanaged++;
      return;
    }
    const length = this.scope.zoneText ? plainTextOf(name, this.incoming) : -1;
    const sameName =
      length < 0
        ? !this.nameIsPlain && this.hasName && name === this.name
        : this.nameIsPlain && length === this.nameLength && sameBytes(this.incoming, this.nameText, length);
    if (!sameName) {
      this.nextName(this.hasName ? compareNames(this.currentName(), name) : -1, length, name);
      this.nameBelongsHere = this.scope.belongsHere(name);
    }
    this.take(sameName, typeName, ttl, message, rdataOffset);
  }

  endOfMessage(): void {
    this.out.cut();
  }

  /** The zone's answer, made at the first call: once the transfer is read. */
  result(): SerialisedRecords {
    if (!this.finished) {
      this.writeSet();
      this.out.cut();
      const written = { chunks: this.out.chunks, count: this.count, countsByType: this.countsByType };
      this.finished = this.inPieces ? mergedPieces(written) : written;
    }
    return this.finished;
  }

  /**
   * Makes the incoming name the current one, after the set being read is
   * written: plain (its bytes in `incoming`, `length` of them) or else
   * `name`. `order` is `compareNames` of the current name and this one
   * (-1 for the first): a name not after the current one may have come
   * before, so its sets may come in pieces.
   */
  private nextName(order: number, length: number, name: string): void {
    this.writeSet();
    if (order >= 0) this.inPieces = true;
    this.hasName = true;
    this.nameIsPlain = length >= 0;
    if (this.nameIsPlain) {
      // Swapped, not copied: `incoming` is scratch until the next name.
      const previous = this.nameText;
      this.nameText = this.incoming;
      this.incoming = previous;
      this.nameLength = length;
    }
    this.name = name;
    this.typeCount = 0;
  }

  private currentName(): string {
    return this.nameIsPlain ? plainNameString(this.nameText, this.nameLength) : this.name;
  }

  /** An RR of the current name: the next of the set being read, or the first of a new one. */
  private take(sameName: boolean, typeName: string, ttl: number, message: Buffer, rdataOffset: number): void {
    if (sameName) {
      if (typeName === this.type && this.rrs > 0) {
        if (this.rrs === 1) this.targets = [targetOf(typeName, this.firstMessage, this.firstRdata)];
        this.targets.push(targetOf(typeName, message, rdataOffset));
        this.rrs++;
        if (ttl < this.ttl) this.ttl = ttl;
        return;
      }
      this.writeSet();
    }
    if (!this.nameBelongsHere) return;
    let seen = false;
    for (let i = 0; i < this.typeCount; i++) if (this.typesOfName[i] === typeName) seen = true;
    if (seen) this.inPieces = true;
    else this.typesOfName[this.typeCount++] = typeName;
    this.rrs = 1;
    this.type = typeName;
    this.ttl = ttl;
    this.firstMessage = message;
    this.firstRdata = rdataOffset;
  }

  private writeSet(): void {
    if (this.rrs === 0) return;
    const out = this.out;
    if (this.count > 0) out.byte(COMMA);
    if (this.nameIsPlain) {
      out.copy(BEFORE_PLAIN_NAME);
      out.bytes(this.nameText, this.nameLength);
      out.copy(AFTER_PLAIN_NAME);
    } else {
      out.copy(BEFORE_NAME);
      out.text(jsonString(this.name));
      out.copy(BEFORE_TARGETS);
    }
    if (this.rrs === 1 && this.type === 'A' && this.firstMessage.readUInt16BE(this.firstRdata) === 4)
      out.dottedQuad(this.firstMessage, this.firstRdata);
    else if (this.rrs === 1) out.text(jsonString(targetOf(this.type, this.firstMessage, this.firstRdata)));
    else {
      const targets = distinctSorted(this.targets);
      for (let i = 0; i < targets.length; i++) out.text(`${i > 0 ? ',' : ''}${jsonString(targets[i]!)}`);
    }
    out.end(this.type, this.ttl);
    this.count++;
    this.countsByType.set(this.type, (this.countsByType.get(this.type) ?? 0) + 1);
    this.rrs = 0;
  }
}

/**
 * Bytes written one after the other into large buffers, cut into chunks
 * (at a message's end): a chunk is a view of the buffer, not a copy.
 */
class ChunkedBytes {
  private static readonly SIZE = 256 * 1024;
  readonly chunks: Buffer[] = [];
  private buffer = Buffer.allocUnsafe(ChunkedBytes.SIZE);
  private start = 0;
  private length = 0;
  private endType = '';
  private endTtl = Number.NaN;
  private endBytes: Buffer = Buffer.alloc(0);

  byte(value: number): void {
    this.room(1);
    this.buffer[this.length++] = value;
  }

  bytes(source: Uint8Array, count: number): void {
    this.room(count);
    for (let i = 0; i < count; i++) this.buffer[this.length + i] = source[i]!;
    this.length += count;
  }

  /** A whole constant: copied by the typed array's own `set`. */
  copy(source: Buffer): void {
    this.room(source.length);
    this.buffer.set(source, this.length);
    this.length += source.length;
  }

  text(text: string): void {
    this.room(text.length * 3);
    this.length += this.buffer.write(text, this.length, 'utf8');
  }

  /** An A record's target, quoted, from its rdata (at its length field `offset`), as `ipv4Text` reads it. */
  dottedQuad(message: Buffer, offset: number): void {
    this.byte(QUOTE);
    for (let i = 2; i < 5; i++) this.copy(OCTET_DOT[message[offset + i]!]!);
    this.copy(OCTET[message[offset + 5]!]!);
    this.byte(QUOTE);
  }

  /** `recordSetJsonEnd`, its bytes kept for the next set of the same type and TTL. */
  end(type: string, ttl: number): void {
    if (type !== this.endType || ttl !== this.endTtl) {
      this.endBytes = Buffer.from(recordSetJsonEnd(type, ttl));
      this.endType = type;
      this.endTtl = ttl;
    }
    this.copy(this.endBytes);
  }

  /** Makes what was written since the last cut a chunk. */
  cut(): void {
    if (this.length === this.start) return;
    this.chunks.push(this.buffer.subarray(this.start, this.length));
    this.start = this.length;
  }

  private room(count: number): void {
    if (this.length + count <= this.buffer.length) return;
    const pending = this.buffer.subarray(this.start, this.length);
    this.buffer = Buffer.allocUnsafe(Math.max(ChunkedBytes.SIZE, pending.length + count));
    pending.copy(this.buffer);
    this.start = 0;
    this.length = pending.length;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array, length: number): boolean {
  for (let i = length - 1; i >= 0; i--) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * `name`'s characters into `into` as bytes, when it is what `plainNameText`
 * writes (printable ASCII without upper case, `"` or `\`); else -1.
 */
function plainTextOf(name: string, into: Uint8Array): number {
  if (name.length > into.length) return -1;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c || (c >= 65 && c <= 90)) return -1;
    into[i] = c;
  }
  return name.length;
}

/**
 * The targets sorted as `Array.prototype.sort()` sorts strings (UTF-16 code
 * units), each once: the collector's order (finishSet).
 */
function distinctSorted(targets: readonly string[]): string[] {
  const sorted = [...targets].sort();
  return sorted.filter((target, i) => i === 0 || target !== sorted[i - 1]);
}

/**
 * The answer with each set's pieces merged into its first, as the collector
 * merges the RRs of a set it meets again: targets together, sorted, each
 * once; the lowest TTL (a piece's written TTL is its lowest, absent for 0).
 */
function mergedPieces(pieces: SerialisedRecords): SerialisedRecords {
  const endpoints = JSON.parse(`[${Buffer.concat(pieces.chunks).toString()}]`) as Endpoint[];
  const sets = new Map<string, { first: Endpoint; targets: string[]; ttl: number }>();
  for (const piece of endpoints) {
    const key = endpointKey(piece);
    const set = sets.get(key);
    if (!set) sets.set(key, { first: piece, targets: [...piece.targets], ttl: piece.recordTTL ?? 0 });
    else {
      set.targets.push(...piece.targets);
      set.ttl = Math.min(set.ttl, piece.recordTTL ?? 0);
    }
  }
  const merged = new SerialisedRecordsBuilder();
  for (const { first, targets, ttl } of sets.values()) {
    merged.add(recordSetJson(first.dnsName, distinctSorted(targets), first.recordType, ttl), first.recordType);
  }
  return merged.result();
}
