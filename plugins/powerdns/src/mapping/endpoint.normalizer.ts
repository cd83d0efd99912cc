import type { Endpoint } from '@dnsgate/plugin-sdk';
import { SUPPORTED_TYPES, canonicalHost, toTarget } from './record-content.mapper.js';

/** PowerDNS stores a TTL as a signed 32-bit number. */
export const MAX_TTL = 2147483647;

export type DropReason =
  'invalid_name' | 'unsupported_type' | 'set_identifier' | 'invalid_target' | 'no_targets' | 'cname_targets';

export interface DroppedTarget {
  target: string;
  problem: string;
}

export type NormalizeResult =
  | { ok: true; endpoint: Endpoint; droppedTargets: DroppedTarget[] }
  | { ok: false; reason: DropReason; problem: string; droppedTargets: DroppedTarget[] };

/**
 * Brings a desired endpoint to exactly the form Records reports: lower-case
 * name without the trailing dot, canonical targets sorted and unique, the
 * default TTL when none is set, no provider-specific properties (PowerDNS has
 * none). Targets PowerDNS cannot hold are dropped one by one, so that one bad
 * IP does not make ExternalDNS delete a record that is otherwise fine; an
 * endpoint left with nothing to write is dropped whole.
 */
export function normalizeEndpoint(endpoint: Endpoint, defaultTtl: number): NormalizeResult {
  const droppedTargets: DroppedTarget[] = [];
  const drop = (reason: DropReason, problem: string): NormalizeResult => ({
    ok: false,
    reason,
    problem,
    droppedTargets,
  });
  const name = canonicalHost(endpoint.dnsName, { wildcard: true });
  if (name === undefined)
    return drop('invalid_name', `${JSON.stringify(endpoint.dnsName)} is not a DNS name PowerDNS can hold`);
  const type = endpoint.recordType.trim().toUpperCase();
  if (!SUPPORTED_TYPES.has(type))
    return drop('unsupported_type', `record type ${type} is not supported by the PowerDNS plugin`);
  if (endpoint.setIdentifier) {
    return drop(
      'set_identifier',
      `set identifier ${JSON.stringify(endpoint.setIdentifier)}: PowerDNS has no routing policies`,
    );
  }
  const targets = new Set<string>();
  for (const raw of endpoint.targets) {
    const result = toTarget(type, raw);
    if (result.ok) targets.add(result.target);
    else droppedTargets.push({ target: raw, problem: result.problem });
  }
  if (targets.size === 0) {
    return droppedTargets.length > 0
      ? drop('invalid_target', `no target PowerDNS can hold: ${droppedTargets.map((d) => d.problem).join('; ')}`)
      : drop('no_targets', 'it has no targets');
  }
  if (type === 'CNAME' && targets.size > 1) return drop('cname_targets', `a CNAME has one target, got ${targets.size}`);
  const ttl =
    endpoint.recordTTL && endpoint.recordTTL > 0 ? Math.min(Math.trunc(endpoint.recordTTL), MAX_TTL) : defaultTtl;
  const normalized: Endpoint = {
    dnsName: name,
    targets: [...targets].sort(compareTargets),
    recordType: type,
    recordTTL: ttl,
  };
  if (endpoint.labels && Object.keys(endpoint.labels).length > 0) normalized.labels = { ...endpoint.labels };
  return { ok: true, endpoint: normalized, droppedTargets };
}

/** The one order targets are reported and written in. */
export function compareTargets(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
