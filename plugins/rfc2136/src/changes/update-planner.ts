import { describeEndpoint, subjectOf, type ChangeAction, type Endpoint, type PlannedChange } from '@dnsgate/plugin-sdk';
import { CLASS_ANY, CLASS_IN, CLASS_NONE, TYPE } from '../dns/dns-constants.js';
import { encodeRr, updateOverhead } from '../dns/update-message.builder.js';
import { TARGET_CODECS } from '../records/record-target.codec.js';

/** One change as RRs of an UPDATE message. Kept whole inside one message. */
export interface ChangeUnit {
  change: PlannedChange;
  action: ChangeAction;
  /** e.g. `create A www.example.com`. */
  description: string;
  zone: string;
  prerequisites: Buffer[];
  updates: Buffer[];
  bytes: number;
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

function nameNotInUse(name: string): Buffer {
  return encodeRr({ name, type: TYPE.ANY, klass: CLASS_NONE, ttl: 0, rdata: NO_RDATA });
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
 * One checked change as UPDATE sections (RFC 2136):
 * - create: prerequisite "RRset does not exist", then one add (class IN) per
 *   target; a CNAME also needs "name not in use", any other type "no CNAME
 *   RRset at the name": a server silently ignores an add that would put a
 *   CNAME beside other data (RFC 2136 3.4.2.2), and the prerequisite makes it
 *   answer YXDOMAIN / YXRRSET instead of NOERROR for a record it did not add;
 * - delete: prerequisite "RRset exists", then one delete (class NONE) per target;
 * - update: prerequisite "RRset exists", the old targets deleted and the new added.
 * The prerequisites make a message fail whole instead of merging into or
 * missing records someone else changed since the check.
 */
export function changeUnit(change: PlannedChange, zone: string): ChangeUnit {
  const subject = subjectOf(change);
  const type = TARGET_CODECS[subject.recordType]!.type;
  let prerequisites: Buffer[];
  let updates: Buffer[];
  if (change.action === 'create') {
    prerequisites =
      type === TYPE.CNAME
        ? [rrsetAbsent(subject.dnsName, type), nameNotInUse(subject.dnsName)]
        : [rrsetAbsent(subject.dnsName, type), rrsetAbsent(subject.dnsName, TYPE.CNAME)];
    updates = addRrs(subject, subject.recordTTL ?? 0);
  } else if (change.action === 'delete') {
    prerequisites = [rrsetExists(subject.dnsName, type)];
    updates = deleteRrs(subject);
  } else {
    prerequisites = [rrsetExists(subject.dnsName, type)];
    updates = [...deleteRrs(change.current!), ...addRrs(change.desired!, change.desired!.recordTTL ?? 0)];
  }
  let bytes = 0;
  for (const b of prerequisites) bytes += b.length;
  for (const b of updates) bytes += b.length;
  return {
    change,
    action: change.action,
    description: `${change.action} ${describeEndpoint(subject)}`,
    zone,
    prerequisites,
    updates,
    bytes,
  };
}

/** Whether the RRs of `endpoint`, written as a create, fit one UPDATE message to `zone`. */
export function fitsOneMessage(endpoint: Endpoint, zone: string): boolean {
  const unit = changeUnit({ action: 'create', desired: endpoint }, zone);
  return unit.bytes + updateOverhead(zone) <= MAX_UPDATE_BYTES;
}

/**
 * Splits a zone's units into messages of at most `batchSize` changes and
 * MAX_UPDATE_BYTES, in order. A create goes into a later message than a
 * delete at its name: a server checks every prerequisite of a message before
 * it applies any update in it, so "no CNAME at the name" (or "name not in
 * use" for a CNAME) would fail on the record set the same message deletes,
 * and a type change at one name would be refused whole.
 */
export function batchUnits(units: readonly ChangeUnit[], batchSize: number, zone: string): ChangeUnit[][] {
  const batches: ChangeUnit[][] = [];
  const overhead = updateOverhead(zone);
  let current: ChangeUnit[] = [];
  let bytes = overhead;
  let deletedNames = new Set<string>();
  for (const u of units) {
    const name = subjectOf(u.change).dnsName;
    const afterDeleteAtName = u.action === 'create' && deletedNames.has(name);
    if (
      current.length > 0 &&
      (current.length >= batchSize || bytes + u.bytes > MAX_UPDATE_BYTES || afterDeleteAtName)
    ) {
      batches.push(current);
      current = [];
      bytes = overhead;
      deletedNames = new Set();
    }
    current.push(u);
    bytes += u.bytes;
    if (u.action === 'delete') deletedNames.add(name);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
