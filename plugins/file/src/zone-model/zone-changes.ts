import { assertBatchApplicable, endpointKey, findZone, type Changes, type Endpoint } from '@dnsgate/plugin-sdk';
import { InvalidRecordError } from '../zone-file/zone-file.errors.js';
import type { ZoneFile } from '../zone-file/zone-record.js';
import { ZoneIndex } from './zone-index.js';

/** Types that may sit beside a CNAME (RFC 2181 §10.1, RFC 4035). */
const CNAME_COMPANIONS: ReadonlySet<string> = new Set(['CNAME', 'RRSIG', 'NSEC']);

/**
 * Why the records at `name` would not load in BIND (a CNAME beside other
 * data), or undefined when they would. Looks at that one name only.
 */
export function cnameConflict(index: ZoneIndex, name: string): string | undefined {
  const types = index.typesAt(name);
  if (!types.has('CNAME')) return undefined;
  for (const type of types) {
    if (!CNAME_COMPANIONS.has(type)) {
      return `CNAME ${name} would sit beside other records (${[...types].sort().join(', ')})`;
    }
  }
  return undefined;
}

/**
 * The keys, among the batch's endpoints, of those the zones hold now: all
 * `assertBatchApplicable` asks about, found by lookups instead of listing
 * every endpoint of every zone. Endpoints must be normalised (canonical
 * name, upper-case type).
 */
export function existingKeysOf(batch: Changes, zoneOf: (endpoint: Endpoint) => ZoneIndex): Set<string> {
  const existing = new Set<string>();
  for (const list of [batch.create, batch.updateOld, batch.updateNew, batch.delete]) {
    for (const endpoint of list) {
      if (zoneOf(endpoint).hasEndpointRrset(endpoint.dnsName, endpoint.recordType)) existing.add(endpointKey(endpoint));
    }
  }
  return existing;
}

/**
 * Applies one group of changes to one zone, in memory: deletes and update
 * olds remove their rrsets, update news and creates replace theirs. Costs
 * O(changes × records at their names). Returns the names it touched, for
 * `cnameConflict`; nothing is checked here.
 */
export function applyGroupToZone(index: ZoneIndex, group: Changes): Set<string> {
  const names = new Set<string>();
  const removeSet = (endpoint: Endpoint): void => {
    index.removeRrset(endpoint.dnsName, endpoint.recordType);
    names.add(endpoint.dnsName);
  };
  for (const endpoint of group.delete) removeSet(endpoint);
  for (const endpoint of group.updateOld) removeSet(endpoint);
  for (const list of [group.updateNew, group.create]) {
    for (const endpoint of list) {
      removeSet(endpoint);
      for (const target of endpoint.targets) {
        index.add({
          name: endpoint.dnsName,
          ttl: endpoint.recordTTL!,
          type: endpoint.recordType,
          data: target,
          verbatim: false,
          origin: index.origin,
        });
      }
    }
  }
  return names;
}

/**
 * Checks a batch of normalised endpoints against the loaded files and
 * applies it to them in memory; returns the zones changed. Throws
 * ChangeRejectedError (a create of an existing rrset, an update or delete of
 * a missing one) or InvalidRecordError (a CNAME beside other data) before
 * any file is touched. Linear: one pass over each file to index the names
 * the batch touches, then O(1) work per change.
 */
export function applyToZones(files: ZoneFile[], batch: Changes, zones: readonly string[]): Set<string> {
  const all = [...batch.create, ...batch.updateOld, ...batch.updateNew, ...batch.delete];
  const namesByZone = new Map<string, Set<string>>();
  for (const endpoint of all) {
    const zone = findZone(endpoint.dnsName, zones)!;
    let names = namesByZone.get(zone);
    if (!names) namesByZone.set(zone, (names = new Set()));
    names.add(endpoint.dnsName);
  }
  const indexes = new Map(
    files.map((file) => [file.origin, ZoneIndex.forNames(file, namesByZone.get(file.origin) ?? new Set())]),
  );
  const zoneOf = (endpoint: Endpoint): ZoneIndex => indexes.get(findZone(endpoint.dnsName, zones)!)!;
  assertBatchApplicable(batch, existingKeysOf(batch, zoneOf));

  const groups = new Map<ZoneIndex, Changes>();
  const groupOf = (endpoint: Endpoint): Changes => {
    const index = zoneOf(endpoint);
    let group = groups.get(index);
    if (!group) {
      group = { create: [], updateOld: [], updateNew: [], delete: [] };
      groups.set(index, group);
    }
    return group;
  };
  for (const endpoint of batch.create) groupOf(endpoint).create.push(endpoint);
  for (const endpoint of batch.updateOld) groupOf(endpoint).updateOld.push(endpoint);
  for (const endpoint of batch.updateNew) groupOf(endpoint).updateNew.push(endpoint);
  for (const endpoint of batch.delete) groupOf(endpoint).delete.push(endpoint);

  const changed = new Set<string>();
  for (const [index, group] of groups) {
    for (const name of applyGroupToZone(index, group)) {
      const conflict = cnameConflict(index, name);
      if (conflict !== undefined) throw new InvalidRecordError(conflict);
    }
    changed.add(index.origin);
  }
  for (const file of files) {
    if (changed.has(file.origin)) file.records = indexes.get(file.origin)!.records();
  }
  return changed;
}
