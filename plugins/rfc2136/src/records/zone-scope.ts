import { isWithinDomain } from '@dnsgate/plugin-sdk';
import { managedTypeName } from './record-target.codec.js';

/**
 * Which RRs of a zone's transfer are this zone's endpoints: only managed
 * types, no SOA, no apex NS (both belong to the server; AdjustEndpoints
 * drops them the same way), and no names that belong to another configured
 * zone (delegations, glue).
 */
export class ZoneScope {
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

  /** The managed type's name, or undefined when RRs of this type and name are not endpoints. */
  typeOf(name: string, type: number): string | undefined {
    const typeName = managedTypeName(type);
    if (!typeName || (typeName === 'NS' && name === this.zone)) return undefined;
    return typeName;
  }

  belongsHere(name: string): boolean {
    if (name !== this.zone && !name.endsWith(this.suffix)) return false;
    for (const child of this.childZones) if (name === child || name.endsWith(`.${child}`)) return false;
    return true;
  }
}
