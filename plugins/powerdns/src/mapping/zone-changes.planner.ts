import {
  ChangeRejectedError,
  describeEndpoint,
  normalizeDnsName,
  type Changes,
  type Endpoint,
} from '@dnsgate/plugin-sdk';
import type { PdnsRrsetChange } from '../client/powerdns-api.types.js';
import { normalizeEndpoint } from './endpoint.normalizer.js';
import { SUPPORTED_TYPES, canonicalHost, toContent } from './record-content.mapper.js';
import { rrsetKey } from './rrset.mapper.js';

export type ChangeAction = 'create' | 'update' | 'delete';

/**
 * What an rrset change came from, for messages (`create of A www.example.org`).
 * Described only when a message is written: a batch has thousands of changes
 * and nearly always no message about any of them.
 */
export class ChangeSource {
  constructor(
    readonly action: ChangeAction,
    readonly endpoint: Endpoint,
  ) {}

  toString(): string {
    return `${this.action} of ${describeEndpoint(this.endpoint)}`;
  }
}

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
  sources: ChangeSource[];
}

/**
 * What one change needs of the zone as Records reports it: a create (or the
 * new side of an update that renames) needs the rrset absent, an update or a
 * delete needs it present.
 */
export interface ExistenceCheck {
  zone: string;
  /** `rrsetKey(name, type)` with the type Records reports (CNAME, not the ALIAS at the apex). */
  key: string;
  mustExist: boolean;
  /** For messages, e.g. `create of A www.example.com`. */
  source: ChangeSource;
}

export interface PlannedChanges {
  patches: ZonePatch[];
  skipped: SkippedChange[];
  /** One per change sent, for `findConflicts` against the zones' current rrsets. */
  checks: ExistenceCheck[];
}

interface Target {
  zone: string;
  name: string;
  /** The type as Records reports it. */
  type: string;
  /** The PowerDNS type: ALIAS for a CNAME at the apex. */
  pdnsType: string;
  /** `rrsetKey(name, type)`, what the existence check looks for. */
  key: string;
}

const WILDCARD_OWNER = { wildcard: true } as const;

/**
 * Turns a batch into one PATCH per zone: REPLACE for creates and updates,
 * DELETE for deletes (sent first, so a type change at one name goes through),
 * names written as FQDNs, TTL 0 as the default, a CNAME at the zone apex as
 * ALIAS. A change outside every managed zone, or one PowerDNS cannot hold, is
 * skipped and returned for the caller to log and count. The same rrset twice
 * in one batch rejects the whole batch before anything is sent. Whether each
 * rrset exists is not known here: the caller checks `checks` against the
 * zones before sending (`findConflicts`).
 */
export function planChanges(changes: Changes, zones: readonly string[], defaultTtl: number): PlannedChanges {
  const skipped: SkippedChange[] = [];
  const problems: string[] = [];
  const deletes = new Map<string, PdnsRrsetChange[]>();
  const replaces = new Map<string, PdnsRrsetChange[]>();
  const sources = new Map<string, { deletes: ChangeSource[]; replaces: ChangeSource[] }>();
  /** What claimed each rrset so far: PowerDNS type → name → change. */
  const seen = new Map<string, Map<string, string>>();
  const checks: ExistenceCheck[] = [];
  const findZone = zoneFinder(zones);

  const locate = (endpoint: Endpoint, action: ChangeAction): Target | undefined => {
    const name = canonicalHost(endpoint.dnsName, WILDCARD_OWNER);
    const type = endpoint.recordType.trim().toUpperCase();
    if (name === undefined || !SUPPORTED_TYPES.has(type) || endpoint.setIdentifier) {
      const result = normalizeEndpoint(endpoint, defaultTtl);
      skipped.push({ action, endpoint, reason: 'invalid', problem: result.ok ? 'cannot be written' : result.problem });
      return undefined;
    }
    const zone = findZone(name);
    if (zone === undefined) {
      skipped.push({ action, endpoint, reason: 'outside_zones', problem: 'it is outside every managed zone' });
      return undefined;
    }
    return {
      zone,
      name,
      type,
      pdnsType: type === 'CNAME' && name === zone ? 'ALIAS' : type,
      key: rrsetKey(name, type),
    };
  };

  const claim = (target: Target, what: string): boolean => {
    let names = seen.get(target.pdnsType);
    if (!names) seen.set(target.pdnsType, (names = new Map()));
    const previous = names.get(target.name);
    if (previous !== undefined) {
      problems.push(`${target.pdnsType} ${target.name} appears twice in one batch (${previous} and ${what})`);
      return false;
    }
    names.set(target.name, what);
    return true;
  };

  const push = (kind: 'deletes' | 'replaces', zone: string, change: PdnsRrsetChange, source: ChangeSource): void => {
    const map = kind === 'deletes' ? deletes : replaces;
    const list = map.get(zone);
    if (list) list.push(change);
    else map.set(zone, [change]);
    let zoneSources = sources.get(zone);
    if (!zoneSources) sources.set(zone, (zoneSources = { deletes: [], replaces: [] }));
    zoneSources[kind].push(source);
  };

  /** The endpoint as it is written, or undefined (and skipped) when PowerDNS cannot hold it. */
  const writable = (endpoint: Endpoint, action: ChangeAction): Endpoint | undefined => {
    const result = normalizeEndpoint(endpoint, defaultTtl);
    if (result.ok) return result.endpoint;
    skipped.push({ action, endpoint, reason: 'invalid', problem: result.problem });
    return undefined;
  };

  const check = (target: Target, mustExist: boolean, source: ChangeSource): void => {
    checks.push({ zone: target.zone, key: target.key, mustExist, source });
  };

  const replace = (
    endpoint: Endpoint,
    normalized: Endpoint,
    action: ChangeAction,
    target: Target,
    mustExist: boolean | undefined,
  ): void => {
    const { targets, recordTTL } = normalized;
    const source = new ChangeSource(action, endpoint);
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
      source,
    );
    if (mustExist !== undefined) check(target, mustExist, source);
  };

  const remove = (endpoint: Endpoint, action: ChangeAction, target: Target): void => {
    const source = new ChangeSource(action, endpoint);
    push('deletes', target.zone, { name: `${target.name}.`, type: target.pdnsType, changetype: 'DELETE' }, source);
    check(target, true, source);
  };

  for (const endpoint of changes.create) {
    const target = locate(endpoint, 'create');
    if (!target || !claim(target, 'create')) continue;
    const normalized = writable(endpoint, 'create');
    if (normalized) replace(endpoint, normalized, 'create', target, false);
  }
  changes.updateNew.forEach((next, index) => {
    const old = changes.updateOld[index];
    const newTarget = locate(next, 'update');
    if (!newTarget) return;
    // Checked before the old side is touched: an update whose new side cannot
    // be written must not delete the old rrset of a rename.
    const normalized = writable(next, 'update');
    if (!normalized) return;
    const oldTarget = old ? locate(old, 'update') : undefined;
    const renamed = oldTarget && (oldTarget.name !== newTarget.name || oldTarget.pdnsType !== newTarget.pdnsType);
    if (renamed && claim(oldTarget, 'update (old)')) remove(old!, 'update', oldTarget);
    // A rename needs the new rrset absent; an old side that is not ours to check
    // (outside every zone, unwritable) leaves the REPLACE unchecked, as before.
    const mustExist = renamed ? false : old === undefined || oldTarget ? true : undefined;
    if (claim(newTarget, 'update')) replace(next, normalized, 'update', newTarget, mustExist);
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
      rrsets: concat(deletes.get(zone), replaces.get(zone)),
      sources: concat(source.deletes, source.replaces),
    });
  }
  return { patches, skipped, checks };
}

/**
 * The managed zones the changes of a batch fall in, found the way
 * planChanges finds them: a superset of the zones of its patches (it also
 * holds the zones of changes planChanges then skips as unwritable). Cheap
 * enough to run before planning, so the zones can be read meanwhile.
 */
export function zonesTouched(changes: Changes, zones: readonly string[]): string[] {
  const findZone = zoneFinder(zones);
  const touched = new Set<string>();
  let lastName: string | undefined;
  for (const list of [changes.create, changes.updateOld, changes.updateNew, changes.delete]) {
    for (const endpoint of list) {
      const name = canonicalHost(endpoint.dnsName, WILDCARD_OWNER);
      if (name === undefined || name === lastName) continue;
      lastName = name;
      const zone = findZone(name);
      if (zone !== undefined) touched.add(zone);
    }
  }
  return [...touched];
}

/**
 * The changes of a plan that do not fit the zones as they are now, the way
 * ExternalDNS's in-memory provider judges a batch: a create of an rrset that
 * exists, an update or a delete of one that does not. `existing` holds, per
 * zone, the keys of the rrsets Records reports (`reportedKey`); a zone left
 * out is not checked.
 */
export function findConflicts(
  checks: readonly ExistenceCheck[],
  existing: ReadonlyMap<string, ReadonlySet<string>>,
): string[] {
  const problems: string[] = [];
  for (const { zone, key, mustExist, source } of checks) {
    const keys = existing.get(zone);
    if (!keys || keys.has(key) === mustExist) continue;
    problems.push(mustExist ? `${source}: it does not exist` : `${source}: it already exists`);
  }
  return problems;
}

/** `a` then `b`, without copying when one of them is empty (the usual batch only creates). */
function concat<T>(a: T[] | undefined, b: T[] | undefined): T[] {
  if (!a || a.length === 0) return b ?? [];
  if (!b || b.length === 0) return a;
  return a.concat(b);
}

/**
 * `findZone(name, zones)` for many names against the same zones (names
 * already canonical, zones normalised): the name's label suffixes are looked
 * up in a set, longest first, so the cost does not grow with the zone count.
 */
export function zoneFinder(zones: readonly string[]): (name: string) => string | undefined {
  const set = new Set(zones.map(normalizeDnsName));
  const root = set.has('.') ? '.' : set.has('') ? '' : undefined;
  return (name) => {
    let candidate = name;
    for (;;) {
      if (set.has(candidate)) return candidate;
      const dot = candidate.indexOf('.');
      if (dot < 0) return root;
      candidate = candidate.slice(dot + 1);
    }
  };
}
