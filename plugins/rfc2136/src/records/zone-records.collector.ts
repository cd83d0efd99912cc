import { isWithinDomain, type Endpoint } from '@dnsgate/plugin-sdk';
import type { TransferRr } from '../transport/dns-transport.js';
import { TARGET_CODECS, managedTypeName } from './record-target.codec.js';

interface RrSet {
  name: string;
  type: string;
  ttl: number;
  targets: Set<string>;
}

/**
 * Turns the RRs of one zone's transfer into endpoints: RRs of the same name
 * and type merged into one endpoint, only managed types, no SOA, no apex NS
 * (both belong to the server; AdjustEndpoints drops them the same way), and
 * no names that belong to another configured zone (delegations, glue).
 */
export class ZoneRecordsCollector {
  private readonly sets = new Map<string, RrSet>();
  /** RRs of types dnsgate leaves alone. */
  unmanaged = 0;

  /** Configured zones below this one: their names are theirs, not this zone's. */
  private readonly childZones: string[];
  private readonly suffix: string;

  /**
   * @param withTargets false to collect only which record sets exist (`keys()`),
   *   without decoding any rdata: what the check before an apply needs.
   */
  constructor(
    private readonly zone: string,
    allZones: readonly string[],
    private readonly withTargets = true,
  ) {
    this.childZones = allZones.filter((z) => z !== zone && isWithinDomain(z, zone));
    this.suffix = `.${zone}`;
  }

  private belongsHere(name: string): boolean {
    if (name !== this.zone && !name.endsWith(this.suffix)) return false;
    for (const child of this.childZones) if (name === child || name.endsWith(`.${child}`)) return false;
    return true;
  }

  add(rr: TransferRr): void {
    const type = managedTypeName(rr.type);
    if (!type) {
      this.unmanaged++;
      return;
    }
    if (type === 'NS' && rr.name === this.zone) return;
    // endpointKey's form (name|type|setIdentifier), so that keys() can be used as they are.
    const key = `${rr.name}|${type}|`;
    let set = this.sets.get(key);
    if (!set) {
      if (!this.belongsHere(rr.name)) return;
      set = { name: rr.name, type, ttl: rr.ttl, targets: new Set() };
      this.sets.set(key, set);
    }
    if (rr.ttl < set.ttl) set.ttl = rr.ttl;
    if (this.withTargets) set.targets.add(TARGET_CODECS[type]!.fromWire(rr.message, rr.rdataOffset));
  }

  /** How many endpoints the zone holds. */
  get size(): number {
    return this.sets.size;
  }

  /** The `endpointKey` of every endpoint `endpoints()` would report. */
  keys(): Set<string> {
    return new Set(this.sets.keys());
  }

  endpoints(): Endpoint[] {
    if (!this.withTargets) throw new Error('this collector was made without targets');
    const endpoints: Endpoint[] = [];
    for (const set of this.sets.values()) {
      const endpoint: Endpoint = { dnsName: set.name, targets: [...set.targets].sort(), recordType: set.type };
      if (set.ttl > 0) endpoint.recordTTL = set.ttl;
      endpoints.push(endpoint);
    }
    return endpoints;
  }
}
