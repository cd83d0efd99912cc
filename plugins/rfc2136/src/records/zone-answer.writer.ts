import {
  SerialisedRecordsBuilder,
  endpointKey,
  recordSetJson,
  type Endpoint,
  type SerialisedRecords,
} from '@dnsgate/plugin-sdk';
import type { TransferSink } from '../dns/zone-transfer.reader.js';
import { NameOrderTracker } from './name-order.js';
import { managedTypeName, targetOf } from './record-target.codec.js';
import { ZoneScope } from './zone-scope.js';

/**
 * Writes one zone's transfer as the JSON of its record sets, as it is read:
 * the answer `ZoneRecordsCollector` gives, byte for byte, without an object
 * per record set (DnsPlugin.serialisedRecords). A set is written once the
 * RR after it has another name or type; its JSON is encoded at the end of
 * each message.
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
  private readonly order = new NameOrderTracker();
  private readonly answer = new SerialisedRecordsBuilder();
  /** The name of the managed RR read last. */
  private name?: string;
  private nameBelongsHere = false;
  /** The types of the current name's sets written or being read: one read again comes in pieces. */
  private readonly typesOfName: string[] = [];
  /** The set being read: its RRs' targets, lowest TTL and type. Empty targets: none. */
  private targets: string[] = [];
  private ttl = 0;
  private type = '';
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

  add(name: string, type: number, ttl: number, message: Buffer, rdataOffset: number): void {
    const typeName = this.scope.typeOf(name, type);
    if (!typeName) {
      if (!managedTypeName(type)) this.unmanaged++;
      return;
    }
    if (name !== this.name) {
      this.writeSet();
      if (this.order.next(name) === 'unordered') this.inPieces = true;
      this.name = name;
      this.nameBelongsHere = this.scope.belongsHere(name);
      this.typesOfName.length = 0;
    } else if (typeName === this.type && this.targets.length > 0) {
      this.targets.push(targetOf(typeName, message, rdataOffset));
      if (ttl < this.ttl) this.ttl = ttl;
      return;
    } else {
      this.writeSet();
    }
    if (!this.nameBelongsHere) return;
    if (this.typesOfName.includes(typeName)) this.inPieces = true;
    else this.typesOfName.push(typeName);
    // A literal array: one pushed to from empty reserves room for 17 elements.
    this.targets = [targetOf(typeName, message, rdataOffset)];
    this.ttl = ttl;
    this.type = typeName;
  }

  endOfMessage(): void {
    this.answer.flush();
  }

  /** The zone's answer, made at the first call: once the transfer is read. */
  result(): SerialisedRecords {
    if (!this.finished) {
      this.writeSet();
      const written = this.answer.result();
      this.finished = this.inPieces ? mergedPieces(written) : written;
    }
    return this.finished;
  }

  private writeSet(): void {
    if (this.targets.length === 0) return;
    const targets = this.targets.length > 1 ? distinctSorted(this.targets) : this.targets;
    this.answer.add(recordSetJson(this.name!, targets, this.type, this.ttl), this.type);
    this.targets = [];
  }
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
