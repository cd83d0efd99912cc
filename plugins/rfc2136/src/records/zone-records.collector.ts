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

  constructor(
    private readonly zone: string,
    allZones: readonly string[],
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
    const key = `${rr.name}|${type}`;
    let set = this.sets.get(key);
    if (!set) {
      if (!this.belongsHere(rr.name)) return;
      set = { name: rr.name, type, ttl: rr.ttl, targets: new Set() };
      this.sets.set(key, set);
    }
    set.ttl = Math.min(set.ttl, rr.ttl);
    set.targets.add(TARGET_CODECS[type]!.fromWire(rr.message, rr.rdataOffset));
  }

  endpoints(): Endpoint[] {
    const endpoints: Endpoint[] = [];
    for (const set of this.sets.values()) {
      const endpoint: Endpoint = { dnsName: set.name, targets: [...set.targets].sort(), recordType: set.type };
      if (set.ttl > 0) endpoint.recordTTL = set.ttl;
      endpoints.push(endpoint);
    }
    return endpoints;
  }
}
