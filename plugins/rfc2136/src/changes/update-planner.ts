import { ChangeRejectedError, describeEndpoint, endpointKey, type Changes, type Endpoint } from '@dnsgate/plugin-sdk';
import { CLASS_ANY, CLASS_IN, CLASS_NONE, RCODE } from '../dns/dns-constants.js';
import { encodeRr, updateOverhead } from '../dns/update-message.builder.js';
import { normalizeEndpoint, type NormalizerSettings } from '../records/endpoint-normalizer.js';
import { TARGET_CODECS } from '../records/record-target.codec.js';

export type ChangeAction = 'create' | 'update' | 'delete';

/** One endpoint's change as RRs of an UPDATE message. Kept whole inside one message. */
export interface ChangeUnit {
  action: ChangeAction;
  /** e.g. `create A www.example.com`. */
  description: string;
  zone: string;
  /** `endpointKey` of the record set it writes (name lower case, type upper case). */
  key: string;
  prerequisites: Buffer[];
  updates: Buffer[];
  bytes: number;
}

/** A change that cannot be written at all; it is reported, the others still go. */
export interface UnwritableChange {
  action: ChangeAction;
  description: string;
  reason: string;
}

export interface UpdatePlan {
  /** Per zone, in order: deletes, then updates, then creates. */
  byZone: Map<string, ChangeUnit[]>;
  unwritable: UnwritableChange[];
}

/** What one UPDATE message may hold: at most 65535 bytes, less room for the TSIG RR. */
export const MAX_UPDATE_BYTES = 65535 - 512;

const NO_RDATA = Buffer.alloc(0);

function rrsetExists(name: string, type: number): Buffer {
  return encodeRr({ name, type, klass: CLASS_ANY, ttl: 0, rdata: NO_RDATA });
}

function rrsetAbsent(name: string, type: number): Buffer {
  return encodeRr({ name, type, klass: CLASS_NONE, ttl: 0, rdata: NO_RDATA });
}

function addRrs(endpoint: Endpoint, ttl: number): Buffer[] {
  const codec = TARGET_CODECS[endpoint.recordType]!;
  return endpoint.targets.map((target) =>
    encodeRr({ name: endpoint.dnsName, type: codec.type, klass: CLASS_IN, ttl, rdata: codec.toRdata(target) }),
  );
}

function deleteRrs(endpoint: Endpoint): Buffer[] {
  const codec = TARGET_CODECS[endpoint.recordType]!;
  return endpoint.targets.map((target) =>
    encodeRr({ name: endpoint.dnsName, type: codec.type, klass: CLASS_NONE, ttl: 0, rdata: codec.toRdata(target) }),
  );
}

/**
 * Turns a batch of changes into UPDATE sections (RFC 2136):
 * - create: prerequisite "RRset does not exist", then one add (class IN) per target;
 * - delete: prerequisite "RRset exists", then one delete (class NONE) per target;
 * - update: prerequisite "RRset exists", the old targets deleted and the new added.
 * The prerequisites make a message fail whole (YXRRSET / NXRRSET) instead of
 * merging into or missing records someone else changed since Records.
 * The same record twice in one batch rejects the batch before anything is sent.
 */
export function planUpdates(changes: Changes, settings: NormalizerSettings): UpdatePlan {
  const seen = new Map<string, string>();
  const duplicates: string[] = [];
  const unwritable: UnwritableChange[] = [];
  const units: ChangeUnit[] = [];
  const overheads = new Map<string, number>();

  const prepare = (action: ChangeAction, endpoint: Endpoint): { endpoint: Endpoint; zone: string } | undefined => {
    const description = `${action} ${describeEndpoint(endpoint)}`;
    const result = normalizeEndpoint(endpoint, settings);
    if (!result.ok) {
      unwritable.push({ action, description, reason: result.drop.detail });
      return undefined;
    }
    const key = endpointKey(result.endpoint);
    const previous = seen.get(key);
    if (previous) duplicates.push(`${describeEndpoint(result.endpoint)} appears twice (${previous}, ${action})`);
    seen.set(key, action);
    return result;
  };

  const unit = (
    action: ChangeAction,
    endpoint: Endpoint,
    zone: string,
    prerequisites: Buffer[],
    updates: Buffer[],
  ): void => {
    let bytes = 0;
    for (const b of prerequisites) bytes += b.length;
    for (const b of updates) bytes += b.length;
    const description = `${action} ${describeEndpoint(endpoint)}`;
    let overhead = overheads.get(zone);
    if (overhead === undefined) overheads.set(zone, (overhead = updateOverhead(zone)));
    if (bytes + overhead > MAX_UPDATE_BYTES) {
      unwritable.push({ action, description, reason: `its ${bytes} bytes of RRs do not fit in one UPDATE message` });
      return;
    }
    units.push({ action, description, zone, key: endpointKey(endpoint), prerequisites, updates, bytes });
  };

  for (const endpoint of changes.delete) {
    const prepared = prepare('delete', endpoint);
    if (!prepared) continue;
    const type = TARGET_CODECS[prepared.endpoint.recordType]!.type;
    unit(
      'delete',
      prepared.endpoint,
      prepared.zone,
      [rrsetExists(prepared.endpoint.dnsName, type)],
      deleteRrs(prepared.endpoint),
    );
  }
  changes.updateOld.forEach((oldEndpoint, index) => {
    const newEndpoint = changes.updateNew[index];
    if (!newEndpoint) return;
    const prepared = prepare('update', newEndpoint);
    if (!prepared) return;
    const oldResult = normalizeEndpoint({ ...oldEndpoint, setIdentifier: undefined }, settings);
    const oldTargets =
      oldResult.ok && endpointKey(oldResult.endpoint) === endpointKey(prepared.endpoint)
        ? oldResult.endpoint
        : undefined;
    if (!oldTargets) {
      unwritable.push({
        action: 'update',
        description: `update ${describeEndpoint(newEndpoint)}`,
        reason: `the old record ${describeEndpoint(oldEndpoint)} is not the same record`,
      });
      return;
    }
    const type = TARGET_CODECS[prepared.endpoint.recordType]!.type;
    const ttl = prepared.endpoint.recordTTL ?? 0;
    unit(
      'update',
      prepared.endpoint,
      prepared.zone,
      [rrsetExists(prepared.endpoint.dnsName, type)],
      [...deleteRrs(oldTargets), ...addRrs(prepared.endpoint, ttl)],
    );
  });
  for (const endpoint of changes.create) {
    const prepared = prepare('create', endpoint);
    if (!prepared) continue;
    const type = TARGET_CODECS[prepared.endpoint.recordType]!.type;
    unit(
      'create',
      prepared.endpoint,
      prepared.zone,
      [rrsetAbsent(prepared.endpoint.dnsName, type)],
      addRrs(prepared.endpoint, prepared.endpoint.recordTTL ?? 0),
    );
  }

  if (duplicates.length > 0) {
    throw new ChangeRejectedError(`batch rejected, nothing was changed: ${duplicates.join('; ')}`);
  }
  const byZone = new Map<string, ChangeUnit[]>();
  for (const u of units) {
    const list = byZone.get(u.zone) ?? [];
    list.push(u);
    byZone.set(u.zone, list);
  }
  return { byZone, unwritable };
}

/** Splits a zone's units into messages of at most `batchSize` changes and MAX_UPDATE_BYTES. */
export function batchUnits(units: readonly ChangeUnit[], batchSize: number, zone: string): ChangeUnit[][] {
  const batches: ChangeUnit[][] = [];
  const overhead = updateOverhead(zone);
  let current: ChangeUnit[] = [];
  let bytes = overhead;
  for (const u of units) {
    if (current.length > 0 && (current.length >= batchSize || bytes + u.bytes > MAX_UPDATE_BYTES)) {
      batches.push(current);
      current = [];
      bytes = overhead;
    }
    current.push(u);
    bytes += u.bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** A change whose prerequisite does not hold against the zone as it is now. */
export interface Conflict {
  unit: ChangeUnit;
  /** The rcode the server would answer its UPDATE with: YXRRSET or NXRRSET. */
  rcode: number;
}

/**
 * The changes whose prerequisites fail against `existing` (the `endpointKey`s
 * of the record sets the zone holds now): a create of a set that exists
 * (YXRRSET), an update or a delete of one that does not (NXRRSET). Checked
 * for the whole batch before any UPDATE is sent, so that a batch spanning
 * several messages (several zones, or more than BATCH_SIZE changes) is
 * rejected whole instead of landing in part.
 */
export function findConflicts(units: readonly ChangeUnit[], existing: ReadonlySet<string>): Conflict[] {
  const conflicts: Conflict[] = [];
  for (const unit of units) {
    const exists = existing.has(unit.key);
    if (unit.action === 'create' && exists) conflicts.push({ unit, rcode: RCODE.YXRRSET });
    if (unit.action !== 'create' && !exists) conflicts.push({ unit, rcode: RCODE.NXRRSET });
  }
  return conflicts;
}
