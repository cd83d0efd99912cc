import { findZone, normalizeDnsName, type Endpoint } from '@dnsgate/plugin-sdk';
import { isEncodableName } from '../dns/wire-name.codec.js';
import { TARGET_CODECS, InvalidTargetError } from './record-target.codec.js';

/** The most a TTL can be on the wire (RFC 2181 8). */
export const MAX_TTL = 2147483647;

export interface NormalizerSettings {
  /** Configured zones, normalised. */
  zones: readonly string[];
  minTtl: number;
  defaultTtl: number;
}

/** Why an endpoint (or one of its targets) is not written. Stable words, used as a metric label. */
export type DropReason =
  | 'unsupported-type'
  | 'set-identifier'
  | 'invalid-name'
  | 'outside-zones'
  | 'apex-ns'
  | 'apex-cname'
  | 'invalid-target'
  | 'no-targets'
  | 'cname-multiple-targets';

export interface Drop {
  endpoint: Endpoint;
  reason: DropReason;
  detail: string;
  /** The target left out, for a drop of one target. */
  target?: string;
}

export type NormalizeResult =
  { ok: true; endpoint: Endpoint; zone: string; droppedTargets: Drop[] } | { ok: false; drop: Drop };

/** The TTL written for an endpoint's recordTTL (0 or absent: the default), raised to the minimum. */
export function effectiveTtl(recordTTL: number | undefined, settings: NormalizerSettings): number {
  const asked = recordTTL && recordTTL > 0 ? Math.trunc(recordTTL) : settings.defaultTtl;
  return Math.min(Math.max(asked, settings.minTtl), MAX_TTL);
}

/**
 * One endpoint in exactly the form Records reports it: lower-case name
 * without a trailing dot, canonical targets (deduplicated and sorted), the
 * TTL that will be written, no provider-specific properties (this backend
 * honours none), labels kept.
 */
export function normalizeEndpoint(endpoint: Endpoint, settings: NormalizerSettings): NormalizeResult {
  const drop = (reason: DropReason, detail: string): NormalizeResult => ({
    ok: false,
    drop: { endpoint, reason, detail },
  });
  const type = endpoint.recordType.toUpperCase();
  const codec = TARGET_CODECS[type];
  if (!codec) return drop('unsupported-type', `record type ${type} is not managed by the rfc2136 plugin`);
  if (endpoint.setIdentifier) return drop('set-identifier', 'DNS UPDATE cannot hold routing policies (setIdentifier)');
  const name = normalizeDnsName(endpoint.dnsName);
  if (name === '' || name === '.' || /[\s\\]/.test(name) || !isEncodableName(name)) {
    return drop('invalid-name', `${JSON.stringify(endpoint.dnsName)} is not a valid DNS name`);
  }
  const zone = findZone(name, settings.zones);
  if (!zone) return drop('outside-zones', `${name} is in none of the configured zones`);
  if (type === 'NS' && name === zone)
    return drop('apex-ns', `the NS records of the zone apex ${zone} are the server's, not ExternalDNS's`);
  if (type === 'CNAME' && name === zone) return drop('apex-cname', `a CNAME cannot live at the zone apex ${zone}`);

  const droppedTargets: Drop[] = [];
  const targets = new Set<string>();
  for (const target of endpoint.targets) {
    try {
      targets.add(codec.canonical(target));
    } catch (error) {
      if (!(error instanceof InvalidTargetError)) throw error;
      droppedTargets.push({ endpoint, reason: 'invalid-target', detail: error.message, target });
    }
  }
  if (targets.size === 0) {
    return drop(
      droppedTargets.length > 0 ? 'invalid-target' : 'no-targets',
      droppedTargets[0]?.detail ?? 'an endpoint without targets cannot be written',
    );
  }
  if (type === 'CNAME' && targets.size > 1) return drop('cname-multiple-targets', 'a CNAME holds exactly one target');

  const normalized: Endpoint = { dnsName: name, targets: [...targets].sort(), recordType: type };
  const ttl = effectiveTtl(endpoint.recordTTL, settings);
  if (ttl > 0) normalized.recordTTL = ttl;
  if (endpoint.labels && Object.keys(endpoint.labels).length > 0) normalized.labels = { ...endpoint.labels };
  return { ok: true, endpoint: normalized, zone, droppedTargets };
}
