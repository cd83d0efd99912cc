import { normalizeDnsName, type Endpoint } from '@dnsgate/plugin-sdk';
import type { PdnsRrset } from '../client/powerdns-api.types.js';
import { compareTargets } from './endpoint.normalizer.js';
import { SUPPORTED_TYPES, isSimpleQuotedTxt, toTarget } from './record-content.mapper.js';

/**
 * One PowerDNS rrset as one endpoint, in the form AdjustEndpoints produces.
 * Disabled records are left out (an rrset with only disabled records is not
 * reported); an ALIAS at the zone apex is reported as the CNAME ExternalDNS
 * asked for, which is how it is written back. Types dnsgate does not manage
 * (SOA, DNSKEY, an ALIAS below the apex…) give undefined.
 */
export function rrsetToEndpoint(rrset: PdnsRrset, zone: string): Endpoint | undefined {
  // The hot loop of Records (100k rrsets and more): no intermediate objects,
  // and no re-checking of what the reported form does not depend on.
  const records = rrset.records;
  if (!records) return undefined;
  const contentType = upperType(rrset.type);
  const type = contentType === 'ALIAS' ? 'CNAME' : contentType;
  if (type === contentType && !SUPPORTED_TYPES.has(contentType)) return undefined;
  let targets: string[];
  if (records.length === 1) {
    // The usual rrset: one record.
    const record = records[0]!;
    if (record.disabled) return undefined;
    targets = [targetOf(contentType, record.content)];
  } else {
    const unique = new Set<string>();
    for (const record of records) {
      if (!record.disabled) unique.add(targetOf(contentType, record.content));
    }
    if (unique.size === 0) return undefined;
    targets = [...unique].sort(compareTargets);
  }
  const name = normalizeDnsName(rrset.name);
  if (contentType === 'ALIAS' && name !== zone) return undefined;
  const endpoint: Endpoint = { dnsName: name, targets, recordType: type };
  if (rrset.ttl !== undefined && rrset.ttl > 0) endpoint.recordTTL = rrset.ttl;
  return endpoint;
}

/** The type in upper case; PowerDNS already sends it so, and then it is used as it is. */
function upperType(type: string): string {
  switch (type) {
    case 'A':
    case 'AAAA':
    case 'TXT':
    case 'CNAME':
      return type;
    default:
      return type.toUpperCase();
  }
}

/** The reported target of one record's content: `toTarget`'s, or the content trimmed when that fails. */
function targetOf(type: string, content: string): string {
  // Both are what toTarget gives, without the result object: an A record's
  // target is its trimmed content whether or not that is an IPv4 address (then
  // this function falls back to the same), and one quoted TXT string with
  // nothing to unescape is already canonical.
  if (type === 'A') return content.trim();
  if (type === 'TXT' && isSimpleQuotedTxt(content)) return content;
  const result = toTarget(type, content);
  return result.ok ? result.target : content.trim();
}

/**
 * `name|TYPE` of the endpoint `rrsetToEndpoint` reports for this rrset
 * (without parsing its records), or undefined when it reports none. What
 * ApplyChanges checks a batch against: exactly what Records showed.
 */
export function reportedKey(rrset: PdnsRrset, zone: string): string | undefined {
  const contentType = upperType(rrset.type);
  const type = contentType === 'ALIAS' ? 'CNAME' : contentType;
  if (type === contentType && !SUPPORTED_TYPES.has(contentType)) return undefined;
  if (!hasEnabledRecord(rrset)) return undefined;
  const name = normalizeDnsName(rrset.name);
  if (contentType === 'ALIAS' && name !== zone) return undefined;
  return rrsetKey(name, type);
}

/** The key of the rrset an endpoint stands for: its name (normalised) and its type as Records reports it. */
export function rrsetKey(name: string, type: string): string {
  return `${name}|${type}`;
}

function hasEnabledRecord(rrset: PdnsRrset): boolean {
  const records = rrset.records;
  if (!records) return false;
  for (const record of records) if (!record.disabled) return true;
  return false;
}
