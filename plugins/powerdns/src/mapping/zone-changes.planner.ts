import { ChangeRejectedError, describeEndpoint, findZone, type Changes, type Endpoint } from '@dnsgate/plugin-sdk';
import type { PdnsRrsetChange } from '../client/powerdns-api.types.js';
import { normalizeEndpoint } from './endpoint.normalizer.js';
import { SUPPORTED_TYPES, canonicalHost, toContent } from './record-content.mapper.js';

export type ChangeAction = 'create' | 'update' | 'delete';

export interface SkippedChange {
  action: ChangeAction;
  endpoint: Endpoint;
  reason: 'outside_zones' | 'invalid';
  problem: string;
}

/** Every rrset change of one zone, for one PATCH. */
export interface ZonePatch {
  zone: string;
  rrsets: PdnsRrsetChange[];
  /** For messages: what each rrset change came from, by index. */
  sources: string[];
}

export interface PlannedChanges {
  patches: ZonePatch[];
  skipped: SkippedChange[];
}

interface Target {
  zone: string;
  name: string;
  /** The PowerDNS type: ALIAS for a CNAME at the apex. */
  pdnsType: string;
}

/**
 * Turns a batch into one PATCH per zone: REPLACE for creates and updates,
 * DELETE for deletes (sent first, so a type change at one name goes through),
 * names written as FQDNs, TTL 0 as the default, a CNAME at the zone apex as
 * ALIAS. A change outside every managed zone, or one PowerDNS cannot hold, is
 * skipped and returned for the caller to log and count. The same rrset twice
 * in one batch rejects the whole batch before anything is sent.
 */
export function planChanges(changes: Changes, zones: readonly string[], defaultTtl: number): PlannedChanges {
  const skipped: SkippedChange[] = [];
  const problems: string[] = [];
  const deletes = new Map<string, PdnsRrsetChange[]>();
  const replaces = new Map<string, PdnsRrsetChange[]>();
  const sources = new Map<string, { deletes: string[]; replaces: string[] }>();
  const seen = new Map<string, string>();

  const locate = (endpoint: Endpoint, action: ChangeAction): Target | undefined => {
    const name = canonicalHost(endpoint.dnsName, { wildcard: true });
    const type = endpoint.recordType.trim().toUpperCase();
    if (name === undefined || !SUPPORTED_TYPES.has(type) || endpoint.setIdentifier) {
      const result = normalizeEndpoint(endpoint, defaultTtl);
      skipped.push({ action, endpoint, reason: 'invalid', problem: result.ok ? 'cannot be written' : result.problem });
      return undefined;
    }
    const zone = findZone(name, zones);
    if (zone === undefined) {
      skipped.push({ action, endpoint, reason: 'outside_zones', problem: 'it is outside every managed zone' });
      return undefined;
    }
    return { zone, name, pdnsType: type === 'CNAME' && name === zone ? 'ALIAS' : type };
  };

  const claim = (target: Target, what: string): boolean => {
    const key = `${target.name}|${target.pdnsType}`;
    const previous = seen.get(key);
    if (previous !== undefined) {
      problems.push(`${target.pdnsType} ${target.name} appears twice in one batch (${previous} and ${what})`);
      return false;
    }
    seen.set(key, what);
    return true;
  };

  const push = (kind: 'deletes' | 'replaces', zone: string, change: PdnsRrsetChange, source: string): void => {
    const map = kind === 'deletes' ? deletes : replaces;
    if (!map.has(zone)) map.set(zone, []);
    map.get(zone)!.push(change);
    if (!sources.has(zone)) sources.set(zone, { deletes: [], replaces: [] });
    sources.get(zone)![kind].push(source);
  };

  const replace = (endpoint: Endpoint, action: ChangeAction, target: Target): void => {
    const result = normalizeEndpoint(endpoint, defaultTtl);
    if (!result.ok) {
      skipped.push({ action, endpoint, reason: 'invalid', problem: result.problem });
      return;
    }
    const { targets, recordTTL } = result.endpoint;
    push(
      'replaces',
      target.zone,
      {
        name: `${target.name}.`,
        type: target.pdnsType,
        ttl: recordTTL ?? defaultTtl,
        changetype: 'REPLACE',
        records: targets.map((t) => ({ content: toContent(target.pdnsType, t), disabled: false })),
      },
      `${action} of ${describeEndpoint(endpoint)}`,
    );
  };

  const remove = (endpoint: Endpoint, action: ChangeAction, target: Target): void => {
    push(
      'deletes',
      target.zone,
      { name: `${target.name}.`, type: target.pdnsType, changetype: 'DELETE' },
      `${action} of ${describeEndpoint(endpoint)}`,
    );
  };

  for (const endpoint of changes.create) {
    const target = locate(endpoint, 'create');
    if (target && claim(target, 'create')) replace(endpoint, 'create', target);
  }
  changes.updateNew.forEach((next, index) => {
    const old = changes.updateOld[index];
    const newTarget = locate(next, 'update');
    if (!newTarget) return;
    const oldTarget = old ? locate(old, 'update') : undefined;
    if (oldTarget && (oldTarget.name !== newTarget.name || oldTarget.pdnsType !== newTarget.pdnsType)) {
      if (claim(oldTarget, 'update (old)')) remove(old!, 'update', oldTarget);
    }
    if (claim(newTarget, 'update')) replace(next, 'update', newTarget);
  });
  for (const endpoint of changes.delete) {
    const target = locate(endpoint, 'delete');
    if (target && claim(target, 'delete')) remove(endpoint, 'delete', target);
  }

  if (problems.length > 0) {
    throw new ChangeRejectedError(`batch rejected, nothing was sent to PowerDNS: ${problems.join('; ')}`);
  }

  const patches: ZonePatch[] = [];
  for (const zone of new Set([...deletes.keys(), ...replaces.keys()])) {
    const source = sources.get(zone)!;
    patches.push({
      zone,
      rrsets: [...(deletes.get(zone) ?? []), ...(replaces.get(zone) ?? [])],
      sources: [...source.deletes, ...source.replaces],
    });
  }
  return { patches, skipped };
}
