import {
  conflictOf,
  subjectOf,
  type Changes,
  type Endpoint,
  type PlannedChange,
  type ZoneState,
} from '@dnsgate/plugin-sdk';
import { InvalidRecordError } from '../zone-file/zone-file.errors.js';
import { compareRecords } from '../zone-file/zone-file.writer.js';
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

/** The names at which the result would hold a CNAME beside other data, which `named` refuses to load. */
export class CnameBesideDataError extends InvalidRecordError {
  constructor(
    readonly names: ReadonlySet<string>,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Applies one group of checked changes to one zone file in memory, under
 * the caller's lock. The file was just read again: a change that no longer
 * fits it (another writer got there since the pipeline's check) is returned
 * as a conflict and left out; the others are applied. Throws
 * CnameBesideDataError, before the file is touched, when the result would not
 * load in BIND. Linear: one pass over the file to index the group's names,
 * then O(1) work per change. With `inWritingOrder`, the file's records are
 * in the writer's order (`sortRecordsForWriting`) and are left in it.
 */
export function applyGroupToFile(
  file: ZoneFile,
  changes: readonly PlannedChange[],
  options: { inWritingOrder?: boolean } = {},
): { conflicts: Array<{ change: PlannedChange; problem: string }>; changed: boolean } {
  const names = new Set(changes.map((change) => subjectOf(change).dnsName));
  const index = ZoneIndex.forNames(file, names);
  const state: ZoneState = { holds: (endpoint) => index.hasEndpointRrset(endpoint.dnsName, endpoint.recordType) };
  const conflicts: Array<{ change: PlannedChange; problem: string }> = [];
  const group: Changes = { create: [], updateOld: [], updateNew: [], delete: [] };
  for (const change of changes) {
    const problem = conflictOf(change, state);
    if (problem !== undefined) conflicts.push({ change, problem });
    else if (change.action === 'create') group.create.push(change.desired!);
    else if (change.action === 'delete') group.delete.push(change.current!);
    else {
      group.updateOld.push(change.current!);
      group.updateNew.push(change.desired!);
    }
  }
  if (conflicts.length === changes.length) return { conflicts, changed: false };
  const clashes = new Map<string, string>();
  for (const name of applyGroupToZone(index, group)) {
    const clash = cnameConflict(index, name);
    if (clash !== undefined) clashes.set(name, clash);
  }
  if (clashes.size > 0) throw new CnameBesideDataError(new Set(clashes.keys()), [...clashes.values()].join('; '));
  file.records = options.inWritingOrder ? index.recordsInOrder(compareRecords(file.origin)) : index.records();
  return { conflicts, changed: true };
}
