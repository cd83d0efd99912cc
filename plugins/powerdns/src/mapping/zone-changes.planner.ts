import {
  ChangeRejectedError,
  describeEndpoint,
  normalizeDnsName,
  type Changes,
  type Endpoint,
} from '@dnsgate/plugin-sdk';
import type { PdnsRrset, PdnsRrsetChange } from '../client/powerdns-api.types.js';
import { normalizeEndpoint, normalizeTargets, normalizeTtl } from './endpoint.normalizer.js';
import { SUPPORTED_TYPES, canonicalHost, toContent } from './record-content.mapper.js';
import { reportedKey, rrsetKey } from './rrset.mapper.js';

export type ChangeAction = 'create' | 'update' | 'delete';

export interface SkippedChange {
  action: ChangeAction;
  endpoint: Endpoint;
  reason: 'outside_zones' | 'invalid';
  problem: string;
}

/**
 * Every rrset change of one zone, for one PATCH. The other lists run
 * alongside `rrsets`, index for index; they are lists rather than an object
 * per change because a batch has thousands of changes and each object is
 * kept until the PATCH is sent.
 */
export interface ZonePatch {
  zone: string;
  rrsets: PdnsRrsetChange[];
  /** The endpoint each rrset change came from, and how (for messages: `describeSource`). */
  origins: Endpoint[];
  actions: ChangeAction[];
  /**
   * What the zone must hold, as Records reports it, for each change to fit:
   * the rrset (true: an update, a delete), no such rrset (false: a create, the
   * new side of a rename), or either (undefined: not checked).
   */
  mustExist: Array<boolean | undefined>;
}

export interface PlannedChanges {
  patches: ZonePatch[];
  skipped: SkippedChange[];
}

/** What the change at `index` of a patch came from, e.g. `create of A www.example.com`. */
export function describeSource(patch: ZonePatch, index: number): string {
  const origin = patch.origins[index];
  return origin ? `${patch.actions[index]} of ${describeEndpoint(origin)}` : 'batch';
}

interface Target {
  zone: string;
  name: string;
  /** The type as Records reports it. */
  type: string;
  /** The PowerDNS type: ALIAS for a CNAME at the apex. */
  pdnsType: string;
}

const WILDCARD_OWNER = { wildcard: true } as const;

/** How many changes planSteps works through between two pauses. */
export const PLAN_SLICE = 1000;

export interface PlanOptions {
  /** Called once for each managed zone the batch writes to, when planning first meets it. */
  onZone?: (zone: string) => void;
}

/**
 * Turns a batch into one PATCH per zone: REPLACE for creates and updates,
 * DELETE for deletes (sent first, so a type change at one name goes through),
 * names written as FQDNs, TTL 0 as the default, a CNAME at the zone apex as
 * ALIAS. A change outside every managed zone, or one PowerDNS cannot hold, is
 * skipped and returned for the caller to log and count. The same rrset twice
 * in one batch rejects the whole batch before anything is sent. Whether each
 * rrset exists is not known here: the caller checks each patch's `mustExist`
 * against the zone before sending (`findConflicts`).
 */
export function planChanges(
  changes: Changes,
  zones: readonly string[],
  defaultTtl: number,
  options: PlanOptions = {},
): PlannedChanges {
  const steps = planSteps(changes, zones, defaultTtl, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * planChanges, one step at a time: the generator pauses after each new zone
 * (just reported to `onZone`) and after every PLAN_SLICE changes, so a caller
 * can give the event loop a turn there. A batch of thousands of changes then
 * does not hold the thread in one piece: the zone reads started from `onZone`
 * go out and come back meanwhile, and probes and metrics stay answered.
 */
export function* planSteps(
  changes: Changes,
  zones: readonly string[],
  defaultTtl: number,
  options: PlanOptions = {},
): Generator<void, PlannedChanges, void> {
  const skipped: SkippedChange[] = [];
  const problems: string[] = [];
  /** Per zone, its DELETEs and its REPLACEs, put together (DELETEs first) at the end. */
  const parts = new Map<string, { deletes: ZonePatch; replaces: ZonePatch }>();
  /** What claimed each rrset so far: PowerDNS type → name → change. */
  const seen = new Map<string, Map<string, string>>();
  const findZone = zoneFinder(zones);
  /** A zone met for the first time since the last pause. */
  let newZone = false;

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
    if (!parts.has(zone)) {
      parts.set(zone, { deletes: emptyPatch(zone), replaces: emptyPatch(zone) });
      options.onZone?.(zone);
      newZone = true;
    }
    return { zone, name, type, pdnsType: type === 'CNAME' && name === zone ? 'ALIAS' : type };
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

  const push = (
    kind: 'deletes' | 'replaces',
    target: Target,
    change: PdnsRrsetChange,
    origin: Endpoint,
    action: ChangeAction,
    mustExist: boolean | undefined,
  ): void => {
    const part = parts.get(target.zone)![kind];
    part.rrsets.push(change);
    part.origins.push(origin);
    part.actions.push(action);
    part.mustExist.push(mustExist);
  };

  /** The endpoint's targets as they are written, or undefined (and skipped) when PowerDNS cannot hold them. */
  const writable = (endpoint: Endpoint, action: ChangeAction, target: Target): string[] | undefined => {
    const result = normalizeTargets(target.type, endpoint.targets);
    if (result.ok) return result.targets;
    skipped.push({ action, endpoint, reason: 'invalid', problem: result.problem });
    return undefined;
  };

  const replace = (
    endpoint: Endpoint,
    targets: readonly string[],
    action: ChangeAction,
    target: Target,
    mustExist: boolean | undefined,
  ): void => {
    const records =
      targets.length === 1
        ? [{ content: toContent(target.pdnsType, targets[0]!), disabled: false }]
        : targets.map((t) => ({ content: toContent(target.pdnsType, t), disabled: false }));
    const change: PdnsRrsetChange = {
      name: `${target.name}.`,
      type: target.pdnsType,
      ttl: normalizeTtl(endpoint.recordTTL, defaultTtl),
      changetype: 'REPLACE',
      records,
    };
    push('replaces', target, change, endpoint, action, mustExist);
  };

  const remove = (endpoint: Endpoint, action: ChangeAction, target: Target): void => {
    const change: PdnsRrsetChange = { name: `${target.name}.`, type: target.pdnsType, changetype: 'DELETE' };
    push('deletes', target, change, endpoint, action, true);
  };

  const updateAt = (index: number): void => {
    const next = changes.updateNew[index]!;
    const old = changes.updateOld[index];
    const newTarget = locate(next, 'update');
    if (!newTarget) return;
    // Checked before the old side is touched: an update whose new side cannot
    // be written must not delete the old rrset of a rename.
    const targets = writable(next, 'update', newTarget);
    if (!targets) return;
    const oldTarget = old ? locate(old, 'update') : undefined;
    const renamed = oldTarget && (oldTarget.name !== newTarget.name || oldTarget.pdnsType !== newTarget.pdnsType);
    if (renamed && claim(oldTarget, 'update (old)')) remove(old!, 'update', oldTarget);
    // A rename needs the new rrset absent; an old side that is not ours to check
    // (outside every zone, unwritable) leaves the REPLACE unchecked, as before.
    const mustExist = renamed ? false : old === undefined || oldTarget ? true : undefined;
    if (claim(newTarget, 'update')) replace(next, targets, 'update', newTarget, mustExist);
  };

  let sinceLastPause = 0;
  /** Whether to pause now: a new zone's read was just started, or a slice is done. */
  const pauseDue = (): boolean => {
    if (!newZone && ++sinceLastPause < PLAN_SLICE) return false;
    newZone = false;
    sinceLastPause = 0;
    return true;
  };

  // Index loops, not for-of: in a generator each for-of step allocates its iterator result.
  for (let index = 0; index < changes.create.length; index++) {
    const endpoint = changes.create[index]!;
    const target = locate(endpoint, 'create');
    if (target && claim(target, 'create')) {
      const targets = writable(endpoint, 'create', target);
      if (targets) replace(endpoint, targets, 'create', target, false);
    }
    if (pauseDue()) yield;
  }
  for (let index = 0; index < changes.updateNew.length; index++) {
    updateAt(index);
    if (pauseDue()) yield;
  }
  for (let index = 0; index < changes.delete.length; index++) {
    const endpoint = changes.delete[index]!;
    const target = locate(endpoint, 'delete');
    if (target && claim(target, 'delete')) remove(endpoint, 'delete', target);
    if (pauseDue()) yield;
  }

  if (problems.length > 0) {
    throw new ChangeRejectedError(`batch rejected, nothing was sent to PowerDNS: ${problems.join('; ')}`);
  }

  const patches: ZonePatch[] = [];
  for (const [zone, { deletes, replaces }] of parts) {
    // A zone met only by changes that were then skipped has nothing to send.
    if (deletes.rrsets.length === 0 && replaces.rrsets.length === 0) continue;
    patches.push({
      zone,
      rrsets: concat(deletes.rrsets, replaces.rrsets),
      origins: concat(deletes.origins, replaces.origins),
      actions: concat(deletes.actions, replaces.actions),
      mustExist: concat(deletes.mustExist, replaces.mustExist),
    });
  }
  return { patches, skipped };
}

function emptyPatch(zone: string): ZonePatch {
  return { zone, rrsets: [], origins: [], actions: [], mustExist: [] };
}

/**
 * The rrsets of a zone as Records reports them (their `reportedKey`s), for
 * checking a plan against. Their names are kept as FQDNs too: a change at a
 * name the zone does not hold (every change of a batch of creates) is told
 * apart without building its key.
 */
export class ReportedRrsets {
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
    this.names.add(`${key.slice(0, key.lastIndexOf('|'))}.`);
  }

  /** Whether the zone holds the rrset a change writes (an ALIAS as the CNAME Records reports). */
  holds(change: PdnsRrsetChange): boolean {
    if (!this.names.has(change.name)) return false;
    const name = change.name.endsWith('.') ? change.name.slice(0, -1) : change.name;
    return this.keys.has(rrsetKey(name, change.type === 'ALIAS' ? 'CNAME' : change.type));
  }
}

/**
 * The changes of a plan that do not fit the zones as they are now, the way
 * ExternalDNS's in-memory provider judges a batch: a create of an rrset that
 * exists, an update or a delete of one that does not. `existing` holds, per
 * zone, the rrsets Records reports; a zone left out is not checked.
 */
export function findConflicts(patches: readonly ZonePatch[], existing: ReadonlyMap<string, ReportedRrsets>): string[] {
  const problems: string[] = [];
  for (const patch of patches) {
    const reported = existing.get(patch.zone);
    if (!reported) continue;
    for (let index = 0; index < patch.rrsets.length; index++) {
      const mustExist = patch.mustExist[index];
      if (mustExist === undefined || reported.holds(patch.rrsets[index]!) === mustExist) continue;
      const source = describeSource(patch, index);
      problems.push(mustExist ? `${source}: it does not exist` : `${source}: it already exists`);
    }
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
 * A batch mostly names one zone after another, so the last zone found is
 * tried first, by its suffix alone, when no managed zone lies below it (one
 * that does could be the longer match).
 */
export function zoneFinder(zones: readonly string[]): (name: string) => string | undefined {
  const set = new Set(zones.map(normalizeDnsName));
  const root = set.has('.') ? '.' : set.has('') ? '' : undefined;
  /** Zones with another managed zone below them. */
  const parents = new Set<string>();
  for (const zone of set) {
    for (let dot = zone.indexOf('.'); dot >= 0; dot = zone.indexOf('.', dot + 1)) {
      const above = zone.slice(dot + 1);
      if (set.has(above)) parents.add(above);
    }
  }
  let last: { zone: string; suffix: string } | undefined;
  return (name) => {
    if (last && name.endsWith(last.suffix)) return last.zone;
    let candidate = name;
    for (;;) {
      if (set.has(candidate)) {
        const zone = candidate;
        if (zone !== root && !parents.has(zone)) last = { zone, suffix: `.${zone}` };
        return zone;
      }
      const dot = candidate.indexOf('.');
      if (dot < 0) return root;
      candidate = candidate.slice(dot + 1);
    }
  };
}
