import type { Endpoint, PlannedChange, ZoneState } from '@dnsgate/plugin-sdk';
import type { PdnsRrset, PdnsRrsetChange } from '../client/powerdns-api.types.js';
import { normalizeTtl } from './endpoint.normalizer.js';
import { toContent } from './record-content.mapper.js';
import { reportedKey, rrsetKey } from './rrset.mapper.js';

/** PowerDNS's type for an endpoint: a CNAME at the zone apex is kept as ALIAS (SOA and NS live there). */
export function pdnsTypeOf(endpoint: Endpoint, zone: string): string {
  return endpoint.recordType === 'CNAME' && endpoint.dnsName === zone ? 'ALIAS' : endpoint.recordType;
}

/**
 * One group of checked changes as the rrsets of one PATCH, index for index:
 * DELETE for a delete, REPLACE with every target for a create or an update,
 * names as FQDNs. The group is ordered deletes first, so a type change at one
 * name goes through.
 */
export function rrsetChangesOf(changes: readonly PlannedChange[], zone: string, defaultTtl: number): PdnsRrsetChange[] {
  return changes.map((change) => {
    if (change.action === 'delete') {
      const current = change.current!;
      return { name: `${current.dnsName}.`, type: pdnsTypeOf(current, zone), changetype: 'DELETE' };
    }
    const desired = change.desired!;
    const type = pdnsTypeOf(desired, zone);
    const targets = desired.targets;
    return {
      name: `${desired.dnsName}.`,
      type,
      ttl: normalizeTtl(desired.recordTTL, defaultTtl),
      changetype: 'REPLACE',
      records:
        targets.length === 1
          ? [{ content: toContent(type, targets[0]!), disabled: false }]
          : targets.map((t) => ({ content: toContent(type, t), disabled: false })),
    };
  });
}

/**
 * The rrsets of a zone as Records reports them (their `reportedKey`s), for
 * the conflict check. Their names are kept too: a change at a name the zone
 * does not hold (every change of a batch of creates) is told apart without
 * building its key.
 */
export class ReportedRrsets implements ZoneState {
  private readonly keys = new Set<string>();
  private readonly names = new Set<string>();

  static ofZone(rrsets: readonly PdnsRrset[], zone: string): ReportedRrsets {
    const reported = new ReportedRrsets();
    for (const rrset of rrsets) {
      const key = reportedKey(rrset, zone);
      if (key !== undefined) reported.add(key);
    }
    return reported;
  }

  static ofKeys(keys: Iterable<string>): ReportedRrsets {
    const reported = new ReportedRrsets();
    for (const key of keys) reported.add(key);
    return reported;
  }

  /** Adds the rrset with this `reportedKey`. */
  add(key: string): void {
    this.keys.add(key);
    this.names.add(key.slice(0, key.lastIndexOf('|')));
  }

  /** Whether the zone holds the record set (an ALIAS at the apex as the CNAME Records reports). */
  holds(endpoint: Endpoint): boolean {
    if (!this.names.has(endpoint.dnsName)) return false;
    return this.keys.has(rrsetKey(endpoint.dnsName, endpoint.recordType));
  }
}

/**
 * The indexes of the rrsets a PowerDNS 422 message names ("RRset
 * www.example.org. IN CNAME: Conflicts with pre-existing RRset"), most
 * precisely first: name and type, else the name alone; none when it names none.
 */
export function rrsetsNamedIn(rrsets: readonly PdnsRrsetChange[], detail: string): number[] {
  const lower = detail.toLowerCase();
  const named: number[] = [];
  const exact: number[] = [];
  rrsets.forEach((rrset, index) => {
    const name = rrset.name.toLowerCase();
    if (!new RegExp(`(^|[\\s'"])${escapeRegExp(name)}(/|\\s|$)`).test(lower)) return;
    named.push(index);
    const type = rrset.type.toLowerCase();
    if (lower.includes(`${name}/${type}`) || lower.includes(`${name} in ${type}`)) exact.push(index);
  });
  return exact.length > 0 ? exact : named;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
