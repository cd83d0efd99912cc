import { findZone, normalizeDnsName, type Endpoint } from '@dnsgate/plugin-sdk';
import { canonicalHostname } from './zone-file/dns-names.js';
import { canonicalTarget, ENDPOINT_RECORD_TYPES } from './zone-file/rdata.js';
import { InvalidRecordError } from './zone-file/zone-file.errors.js';

export const MAX_TTL = 2147483647;

/** Why an endpoint cannot go into a zone file; the metric label. */
export type DropReason = 'type' | 'set_identifier' | 'name' | 'no_zone' | 'apex' | 'target' | 'no_targets';

export class EndpointRejectedError extends InvalidRecordError {
  constructor(
    readonly reason: DropReason,
    message: string,
  ) {
    super(message);
  }
}

export interface NormalizeOptions {
  zones: readonly string[];
  defaultTtl: number;
  /** Only the identity matters (delete, update's old side): skip target checks. */
  identityOnly?: boolean;
}

export interface NormalizedEndpoint {
  endpoint: Endpoint;
  zone: string;
}

/**
 * An endpoint in exactly the form `records()` reports it: lower-case name
 * without the trailing dot, canonical targets sorted and deduplicated, a TTL
 * (the default for 0 or none), no provider-specific properties (a zone file
 * has nowhere to keep them). Throws EndpointRejectedError for anything a
 * zone file cannot hold or that no managed zone holds.
 */
export function normalizeEndpoint(input: Endpoint, options: NormalizeOptions): NormalizedEndpoint {
  const type = String(input.recordType ?? '').toUpperCase();
  if (!ENDPOINT_RECORD_TYPES.has(type)) {
    throw new EndpointRejectedError('type', `record type ${JSON.stringify(input.recordType)} is not supported`);
  }
  if (input.setIdentifier) {
    throw new EndpointRejectedError(
      'set_identifier',
      'a zone file has no routing policies; setIdentifier must be empty',
    );
  }
  let name: string;
  try {
    name = canonicalHostname(normalizeDnsName(String(input.dnsName ?? '')), { wildcard: true });
  } catch (error) {
    throw new EndpointRejectedError('name', (error as Error).message);
  }
  const zone = findZone(name, options.zones);
  if (zone === undefined) throw new EndpointRejectedError('no_zone', `no managed zone holds ${name}`);
  if (name === zone && type === 'NS') {
    throw new EndpointRejectedError('apex', `the apex NS of ${zone} belongs to the plugin, not to ExternalDNS`);
  }
  if (name === zone && type === 'CNAME') {
    throw new EndpointRejectedError('apex', `a CNAME cannot sit at the apex of ${zone}, beside its SOA and NS`);
  }

  const endpoint: Endpoint = { dnsName: name, targets: [], recordType: type };
  const ttl = Math.trunc(Number(input.recordTTL ?? 0));
  endpoint.recordTTL = Number.isFinite(ttl) && ttl > 0 ? Math.min(ttl, MAX_TTL) : options.defaultTtl;
  if (input.labels && Object.keys(input.labels).length > 0) endpoint.labels = { ...input.labels };
  if (options.identityOnly) {
    endpoint.targets = [...(input.targets ?? [])];
    return { endpoint, zone };
  }

  const targets = new Set<string>();
  for (const target of input.targets ?? []) {
    try {
      targets.add(canonicalTarget(type, String(target)));
    } catch (error) {
      throw new EndpointRejectedError('target', (error as Error).message);
    }
  }
  if (targets.size === 0) throw new EndpointRejectedError('no_targets', 'an endpoint needs at least one target');
  if ((type === 'CNAME' || type === 'DNAME') && targets.size > 1) {
    throw new EndpointRejectedError('target', `a ${type} has exactly one target, got ${targets.size}`);
  }
  endpoint.targets = [...targets].sort();
  return { endpoint, zone };
}
