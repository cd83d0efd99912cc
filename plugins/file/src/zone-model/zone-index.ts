import type { ZoneFile, ZoneRecord } from '../zone-file/zone-record.js';

/**
 * A zone's records grouped by owner name. Every question the plugin asks
 * about one name (is this rrset there, what else sits at this name) and
 * every change to one rrset costs the few records at that name, not a pass
 * over the whole zone: a batch of B changes to an N-record zone is O(B)
 * here, plus the O(N) read and write around it.
 */
export class ZoneIndex {
  private readonly byOwner = new Map<string, ZoneRecord[]>();
  private count = 0;

  constructor(
    readonly origin: string,
    records: Iterable<ZoneRecord> = [],
  ) {
    for (const record of records) this.add(record);
  }

  static of(file: ZoneFile): ZoneIndex {
    return new ZoneIndex(file.origin, file.records);
  }

  /** Records in the zone. */
  get size(): number {
    return this.count;
  }

  /** Every record at `name`, in file order (empty when none). */
  recordsAt(name: string): readonly ZoneRecord[] {
    return this.byOwner.get(name) ?? [];
  }

  /** The records of one rrset, in file order. */
  rrset(name: string, type: string): ZoneRecord[] {
    return this.recordsAt(name).filter((record) => record.type === type);
  }

  /** True when the rrset holds a record an endpoint reports (one the plugin could read, not kept verbatim). */
  hasEndpointRrset(name: string, type: string): boolean {
    return this.recordsAt(name).some((record) => record.type === type && !record.verbatim);
  }

  /** The distinct types at `name`. */
  typesAt(name: string): Set<string> {
    return new Set(this.recordsAt(name).map((record) => record.type));
  }

  add(record: ZoneRecord): void {
    const at = this.byOwner.get(record.name);
    if (at) at.push(record);
    else this.byOwner.set(record.name, [record]);
    this.count++;
  }

  /** Removes the whole rrset (verbatim records of that type too); returns how many records went. */
  removeRrset(name: string, type: string): number {
    const at = this.byOwner.get(name);
    if (!at) return 0;
    const kept = at.filter((record) => record.type !== type);
    const removed = at.length - kept.length;
    if (kept.length === 0) this.byOwner.delete(name);
    else if (removed > 0) this.byOwner.set(name, kept);
    this.count -= removed;
    return removed;
  }

  /** Owner names with their records, in the order the names first appeared. */
  owners(): IterableIterator<[string, readonly ZoneRecord[]]> {
    return this.byOwner.entries();
  }

  /** Every record, grouped by owner (names in first-appearance order, file order within a name). */
  records(): ZoneRecord[] {
    const all: ZoneRecord[] = new Array<ZoneRecord>(this.count);
    let i = 0;
    for (const at of this.byOwner.values()) for (const record of at) all[i++] = record;
    return all;
  }

  toZoneFile(): ZoneFile {
    return { origin: this.origin, records: this.records() };
  }
}
