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
  const { name, type } = identity;
  const contentType = rrset.type.toUpperCase() === 'ALIAS' ? 'ALIAS' : type;
  const targets = new Set<string>();
  for (const record of rrset.records ?? []) {
    if (record.disabled) continue;
    const result = toTarget(contentType, record.content);
    targets.add(result.ok ? result.target : record.content.trim());
  }
  const endpoint: Endpoint = { dnsName: name, targets: [...targets].sort(compareTargets), recordType: type };
  if (rrset.ttl !== undefined && rrset.ttl > 0) endpoint.recordTTL = rrset.ttl;
  return endpoint;
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

function reportedIdentity(rrset: PdnsRrset, zone: string): { name: string; type: string } | undefined {
  const name = normalizeDnsName(rrset.name);
  let type = rrset.type.toUpperCase();
  if (type === 'ALIAS') {
    if (name !== zone) return undefined;
    type = 'CNAME';
  } else if (!SUPPORTED_TYPES.has(type)) {
    return undefined;
  }
  if (!(rrset.records ?? []).some((record) => !record.disabled)) return undefined;
  return { name, type };
}
