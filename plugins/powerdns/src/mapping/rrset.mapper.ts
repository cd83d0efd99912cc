import { normalizeDnsName, type Endpoint } from '@dnsgate/plugin-sdk';
import type { PdnsRrset } from '../client/powerdns-api.types.js';
import { compareTargets } from './endpoint.normalizer.js';
import { SUPPORTED_TYPES, toTarget } from './record-content.mapper.js';

/**
 * One PowerDNS rrset as one endpoint, in the form AdjustEndpoints produces.
 * Disabled records are left out (an rrset with only disabled records is not
 * reported); an ALIAS at the zone apex is reported as the CNAME ExternalDNS
 * asked for, which is how it is written back. Types dnsgate does not manage
 * (SOA, DNSKEY, an ALIAS below the apex…) give undefined.
 */
export function rrsetToEndpoint(rrset: PdnsRrset, zone: string): Endpoint | undefined {
  const identity = reportedIdentity(rrset, zone);
  if (!identity) return undefined;
  const { name, type, contentType } = identity;
  const records = rrset.records!;
  let targets: string[];
  if (records.length === 1) {
    // The usual rrset: one record (enabled, or reportedIdentity would have said no).
    targets = [targetOf(contentType, records[0]!.content)];
  } else {
    const unique = new Set<string>();
    for (const record of records) {
      if (!record.disabled) unique.add(targetOf(contentType, record.content));
    }
    targets = [...unique].sort(compareTargets);
  }
  const endpoint: Endpoint = { dnsName: name, targets, recordType: type };
  if (rrset.ttl !== undefined && rrset.ttl > 0) endpoint.recordTTL = rrset.ttl;
  return endpoint;
}

function targetOf(type: string, content: string): string {
  const result = toTarget(type, content);
  return result.ok ? result.target : content.trim();
}

/**
 * `name|TYPE` of the endpoint `rrsetToEndpoint` reports for this rrset
 * (without parsing its records), or undefined when it reports none. What
 * ApplyChanges checks a batch against: exactly what Records showed.
 */
export function reportedKey(rrset: PdnsRrset, zone: string): string | undefined {
  const identity = reportedIdentity(rrset, zone);
  return identity ? rrsetKey(identity.name, identity.type) : undefined;
}

/** The key of the rrset an endpoint stands for: its name (normalised) and its type as Records reports it. */
export function rrsetKey(name: string, type: string): string {
  return `${name}|${type}`;
}

function reportedIdentity(
  rrset: PdnsRrset,
  zone: string,
): { name: string; type: string; contentType: string } | undefined {
  const contentType = rrset.type.toUpperCase();
  let type = contentType;
  if (contentType === 'ALIAS') type = 'CNAME';
  else if (!SUPPORTED_TYPES.has(contentType)) return undefined;
  if (!hasEnabledRecord(rrset)) return undefined;
  const name = normalizeDnsName(rrset.name);
  if (contentType === 'ALIAS' && name !== zone) return undefined;
  return { name, type, contentType };
}

function hasEnabledRecord(rrset: PdnsRrset): boolean {
  const records = rrset.records;
  if (!records) return false;
  for (const record of records) if (!record.disabled) return true;
  return false;
}
