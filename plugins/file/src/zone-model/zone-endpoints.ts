import type { Endpoint } from '@dnsgate/plugin-sdk';
import { canonicalHostname } from '../zone-file/dns-names.js';
import { ENDPOINT_RECORD_TYPES } from '../zone-file/rdata.js';
import type { ZoneFile } from '../zone-file/zone-record.js';
import { ZoneIndex } from './zone-index.js';

/** A name ExternalDNS can carry (no escapes, valid labels; `*` leftmost). */
function isEndpointName(name: string): boolean {
  try {
    canonicalHostname(name, { wildcard: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * Tells whether `name` belongs to `origin` and to no deeper managed zone
 * (what `findZone(name, managedZones) === origin` says), with the suffixes
 * worked out once per zone instead of once per record.
 */
export function ownedByZone(origin: string, managedZones: readonly string[]): (name: string) => boolean {
  const suffix = `.${origin}`;
  const deeper = managedZones
    .map((zone) => zone.toLowerCase().replace(/\.$/, ''))
    .filter((zone) => zone !== origin && zone.endsWith(suffix))
    .map((zone) => `.${zone}`);
  return (name) => {
    if (name !== origin && !name.endsWith(suffix)) return false;
    for (const below of deeper) if (name === below.slice(1) || name.endsWith(below)) return false;
    return true;
  };
}

/**
 * The endpoints of one zone: one per (name, type), targets merged and
 * sorted, TTL of the first record (as BIND does), sorted by name then type.
 * Not reported: the SOA and the apex NS (the plugin's own), records kept
 * verbatim, types ExternalDNS does not manage, names a deeper managed zone
 * owns, and names with escapes no endpoint can carry. One pass over the
 * owner names: linear in the zone (plus the sort of its names).
 */
export function endpointsOf(zone: ZoneFile | ZoneIndex, managedZones: readonly string[]): Endpoint[] {
  const index = zone instanceof ZoneIndex ? zone : ZoneIndex.of(zone);
  const origin = index.origin;
  const owned = ownedByZone(origin, managedZones);
  const byName: Array<[string, Endpoint[]]> = [];
  for (const [name, records] of index.owners()) {
    let sets: Endpoint[] | undefined;
    for (const record of records) {
      if (record.verbatim || !ENDPOINT_RECORD_TYPES.has(record.type)) continue;
      if (record.type === 'NS' && name === origin) continue;
      if (sets === undefined) {
        if (!owned(name) || !isEndpointName(name)) break;
        sets = [];
      }
      let endpoint = sets.find((e) => e.recordType === record.type);
      if (!endpoint) {
        endpoint = { dnsName: name, targets: [], recordType: record.type, recordTTL: record.ttl };
        sets.push(endpoint);
      }
      if (!endpoint.targets.includes(record.data)) endpoint.targets.push(record.data);
    }
    if (sets !== undefined) byName.push([name, sets]);
  }
  byName.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const endpoints: Endpoint[] = [];
  for (const [, sets] of byName) {
    if (sets.length > 1) sets.sort((a, b) => (a.recordType < b.recordType ? -1 : 1));
    for (const endpoint of sets) {
      if (endpoint.targets.length > 1) endpoint.targets.sort();
      endpoints.push(endpoint);
    }
  }
  return endpoints;
}
