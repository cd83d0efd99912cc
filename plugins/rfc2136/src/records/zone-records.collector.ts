import { isWithinDomain, type Endpoint } from '@dnsgate/plugin-sdk';
import type { DifferenceSequence, TransferRr } from '../dns/zone-transfer.reader.js';
import { TARGET_CODECS, managedTypeName } from './record-target.codec.js';

/** One record set as read: its targets in canonical text, each with the TTL of its RR. */
interface RrSet {
  name: string;
  type: string;
  targets: string[];
  ttls: number[];
}

/** One record set of a versioned read: the endpoint reported, and each target's TTL (same order). */
interface RecordSetEntry {
  readonly endpoint: Endpoint;
  readonly ttls: readonly number[];
}

/**
 * Which RRs of a zone's transfer are this zone's endpoints: only managed
 * types, no SOA, no apex NS (both belong to the server; AdjustEndpoints
 * drops them the same way), and no names that belong to another configured
 * zone (delegations, glue).
 */
class ZoneScope {
  /** Configured zones below this one: their names are theirs, not this zone's. */
  private readonly childZones: string[];
  private readonly suffix: string;

  constructor(
    private readonly zone: string,
    allZones: readonly string[],
  ) {
    this.childZones = allZones.filter((z) => z !== zone && isWithinDomain(z, zone));
    this.suffix = `.${zone}`;
  }

  /** The managed type's name, or undefined when the RR is not one of this zone's endpoints. */
  typeOf(rr: TransferRr): string | undefined {
    const type = managedTypeName(rr.type);
    if (!type || (type === 'NS' && rr.name === this.zone)) return undefined;
    return type;
  }

  belongsHere(name: string): boolean {
    if (name !== this.zone && !name.endsWith(this.suffix)) return false;
    for (const child of this.childZones) if (name === child || name.endsWith(`.${child}`)) return false;
    return true;
  }
}

/** endpointKey's form (name|type|setIdentifier), so that keys can be used as they are. */
function setKey(name: string, type: string): string {
  return `${name}|${type}|`;
}

function targetOf(rr: TransferRr, type: string): string {
  return TARGET_CODECS[type]!.fromWire(rr.message, rr.rdataOffset);
}

/**
 * The targets sorted, each once (two RRs whose rdata read as the same
 * canonical text are one target, at the lower TTL), and the TTLs in the same
 * order. A set of one, by far the most common, is returned as it is.
 */
function sortedUnique(targets: string[], ttls: number[]): { targets: string[]; ttls: number[] } {
  if (targets.length < 2) return { targets, ttls };
  const order = targets
    .map((_, i) => i)
    .sort((a, b) => (targets[a]! < targets[b]! ? -1 : targets[a]! > targets[b]! ? 1 : 0));
  const sortedTargets: string[] = [];
  const sortedTtls: number[] = [];
  for (const i of order) {
    const last = sortedTargets.length - 1;
    if (last >= 0 && sortedTargets[last] === targets[i]) sortedTtls[last] = Math.min(sortedTtls[last]!, ttls[i]!);
    else {
      sortedTargets.push(targets[i]!);
      sortedTtls.push(ttls[i]!);
    }
  }
  return { targets: sortedTargets, ttls: sortedTtls };
}

/** A set's endpoint: its TTL is the lowest of its RRs' (a TTL of 0 is left out, as ExternalDNS leaves it). */
function entryOf(name: string, type: string, targets: string[], ttls: number[]): RecordSetEntry {
  const unique = sortedUnique(targets, ttls);
  let ttl = unique.ttls[0]!;
  for (const t of unique.ttls) if (t < ttl) ttl = t;
  const endpoint: Endpoint = { dnsName: name, targets: unique.targets, recordType: type };
  if (ttl > 0) endpoint.recordTTL = ttl;
  return { endpoint, ttls: unique.ttls };
}

/**
 * One zone's record sets at one serial, kept between reads so that an IXFR
 * can bring them up to date: never mutated (`withDifference` makes a new
 * one, sharing every set the difference did not touch), so the endpoints
 * handed out stay as they were.
 */
export class ZoneRecordSets {
  readonly endpoints: readonly Endpoint[];

  constructor(
    private readonly scope: ZoneScope,
    private readonly sets: ReadonlyMap<string, RecordSetEntry>,
  ) {
    this.endpoints = Array.from(sets.values(), (entry) => entry.endpoint);
  }

  get size(): number {
    return this.sets.size;
  }

  /**
   * These record sets with an IXFR's difference sequences applied in order
   * (each one's deletions, then its additions), RR by RR: the record sets a
   * full transfer at the last sequence's serial gives.
   */
  withDifference(sequences: readonly DifferenceSequence[]): ZoneRecordSets {
    const touched = new Map<string, RrSet>();
    const touch = (rr: TransferRr, type: string): RrSet | undefined => {
      const key = setKey(rr.name, type);
      let set = touched.get(key);
      if (!set) {
        const entry = this.sets.get(key);
        if (!entry && !this.scope.belongsHere(rr.name)) return undefined;
        set = {
          name: rr.name,
          type,
          targets: entry ? [...entry.endpoint.targets] : [],
          ttls: entry ? [...entry.ttls] : [],
        };
        touched.set(key, set);
      }
      return set;
    };
    for (const sequence of sequences) {
      for (const rr of sequence.deleted) {
        const type = this.scope.typeOf(rr);
        const set = type && touch(rr, type);
        if (!set) continue;
        const index = set.targets.indexOf(targetOf(rr, type));
        if (index >= 0) {
          set.targets.splice(index, 1);
          set.ttls.splice(index, 1);
        }
      }
      for (const rr of sequence.added) {
        const type = this.scope.typeOf(rr);
        const set = type && touch(rr, type);
        if (!set) continue;
        const target = targetOf(rr, type);
        const index = set.targets.indexOf(target);
        if (index >= 0) set.ttls[index] = rr.ttl;
        else {
          set.targets.push(target);
          set.ttls.push(rr.ttl);
        }
      }
    }
    if (touched.size === 0) return this;
    const sets = new Map(this.sets);
    for (const [key, set] of touched) {
      if (set.targets.length === 0) sets.delete(key);
      else sets.set(key, entryOf(set.name, set.type, set.targets, set.ttls));
    }
    return new ZoneRecordSets(this.scope, sets);
  }
}

/**
 * Turns the RRs of one zone's transfer into endpoints: RRs of the same name
 * and type merged into one endpoint, for the RRs of the zone's scope (see
 * ZoneScope).
 */
export class ZoneRecordsCollector {
  private readonly sets = new Map<string, RrSet>();
  private readonly scope: ZoneScope;
  /** RRs of types dnsgate leaves alone. */
  unmanaged = 0;

  /**
   * @param withTargets false to collect only which record sets exist (`keys()`),
   *   without decoding any rdata: what the check before an apply needs.
   */
  constructor(
    zone: string,
    allZones: readonly string[],
    private readonly withTargets = true,
  ) {
    this.scope = new ZoneScope(zone, allZones);
  }

  add(rr: TransferRr): void {
    const type = this.scope.typeOf(rr);
    if (!type) {
      if (!managedTypeName(rr.type)) this.unmanaged++;
      return;
    }
    const key = setKey(rr.name, type);
    let set = this.sets.get(key);
    if (!set) {
      if (!this.scope.belongsHere(rr.name)) return;
      set = { name: rr.name, type, targets: [], ttls: [] };
      this.sets.set(key, set);
    }
    if (this.withTargets) {
      set.targets.push(targetOf(rr, type));
      set.ttls.push(rr.ttl);
    }
  }

  /** How many endpoints the zone holds. */
  get size(): number {
    return this.sets.size;
  }

  /** The `endpointKey` of every endpoint the zone holds. */
  keys(): Set<string> {
    return new Set(this.sets.keys());
  }

  /** The record sets collected, to report and to keep for a later difference. */
  recordSets(): ZoneRecordSets {
    if (!this.withTargets) throw new Error('this collector was made without targets');
    const entries = new Map<string, RecordSetEntry>();
    for (const [key, set] of this.sets) entries.set(key, entryOf(set.name, set.type, set.targets, set.ttls));
    return new ZoneRecordSets(this.scope, entries);
  }
}
