import { isWithinDomain } from '@dnsgate/plugin-sdk';
import { plainNameString } from '../dns/wire-name.codec.js';
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

  /**
   * The zone's name as one byte per character, where it is printable
   * lower-case ASCII (as `plainNameText` writes names), for the checks of
   * names given as bytes; undefined otherwise: no plain name is then within
   * it, and names are checked as strings.
   */
  readonly zoneText?: Uint8Array;

  constructor(
    private readonly zone: string,
    allZones: readonly string[],
  ) {
    this.childZones = allZones.filter((z) => z !== zone && isWithinDomain(z, zone));
    this.suffix = `.${zone}`;
    if (/^[\x20\x21\x23-\x40\x5b\x5d-\x7e]+$/.test(zone)) this.zoneText = Buffer.from(zone, 'latin1');
  }

  /** Whether `plainNameText`'s bytes name the zone's apex. Only where `zoneText` is. */
  isApexText(text: Uint8Array, length: number): boolean {
    const zone = this.zoneText!;
    return length === zone.length && endsWith(text, length, zone);
  }

  /** `belongsHere` for a name given as `plainNameText`'s bytes. Only where `zoneText` is. */
  belongsHereText(text: Uint8Array, length: number): boolean {
    const zone = this.zoneText!;
    if (!endsWith(text, length, zone) || (length > zone.length && text[length - zone.length - 1] !== 46)) return false;
    return this.childZones.length === 0 || this.belongsHere(plainNameString(text, length));
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

/** Whether the first `length` bytes of `text` end with `suffix`. */
function endsWith(text: Uint8Array, length: number, suffix: Uint8Array): boolean {
  if (length < suffix.length) return false;
  for (let i = 0, at = length - suffix.length; i < suffix.length; i++, at++) if (text[at] !== suffix[i]) return false;
  return true;
}
