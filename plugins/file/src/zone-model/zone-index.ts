import type { ZoneFile, ZoneRecord } from '../zone-file/zone-record.js';

/**
 * A zone's records grouped by owner name. Every question the plugin asks
 * about one name (is this rrset there, what else sits at this name) and
 * every change to one rrset costs the few records at that name, not a pass
 * over the whole zone.
 *
 * An index can cover only some names (`ZoneIndex.forNames`): a batch of B
 * changes then indexes its B names and carries the other records through
 * untouched, in their order, so applying it costs one pass over the zone
 * with a set lookup per record plus O(B), and no map of every name.
 */
export class ZoneIndex {
  private readonly byOwner = new Map<string, ZoneRecord[]>();
  /** Records at names outside the index's names, kept as they came. */
  private readonly untouched: ZoneRecord[] = [];
  private count = 0;

  constructor(
    readonly origin: string,
    records: Iterable<ZoneRecord> = [],
    private readonly names?: ReadonlySet<string>,
  ) {
    for (const record of records) {
      if (names === undefined || names.has(record.name)) this.add(record);
      else this.untouched.push(record);
    }
  }

  static of(file: ZoneFile): ZoneIndex {
    return new ZoneIndex(file.origin, file.records);
  }

  /** An index of the records at `names` only; the rest of the file is carried through unchanged. */
  static forNames(file: ZoneFile, names: ReadonlySet<string>): ZoneIndex {
    return new ZoneIndex(file.origin, file.records, names);
  }

  /** Records in the zone. */
  get size(): number {
    return this.count + this.untouched.length;
  }

  /** Every record at `name`, in file order (empty when none). */
  recordsAt(name: string): readonly ZoneRecord[] {
    this.assertIndexed(name);
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
    this.assertIndexed(record.name);
    const at = this.byOwner.get(record.name);
    if (at) at.push(record);
    else this.byOwner.set(record.name, [record]);
    this.count++;
  }

  /** Removes the whole rrset (verbatim records of that type too); returns how many records went. */
  removeRrset(name: string, type: string): number {
    this.assertIndexed(name);
    const at = this.byOwner.get(name);
    if (!at) return 0;
    const kept = at.filter((record) => record.type !== type);
    const removed = at.length - kept.length;
    if (kept.length === 0) this.byOwner.delete(name);
    else if (removed > 0) this.byOwner.set(name, kept);
    this.count -= removed;
    return removed;
  }

  /** Indexed owner names with their records, in the order the names first appeared. */
  owners(): IterableIterator<[string, readonly ZoneRecord[]]> {
    return this.byOwner.entries();
  }

  /** Every record: the untouched ones in their order, then the indexed ones grouped by owner. */
  records(): ZoneRecord[] {
    const all: ZoneRecord[] = this.untouched.slice();
    for (const at of this.byOwner.values()) for (const record of at) all.push(record);
    return all;
  }

  /**
   * Every record in `compare`'s order, given that the untouched records are
   * already in it (the file was read in that order): the indexed ones are
   * sorted and merged in by binary search, so a batch of B changes to a
   * zone of N records costs O(B log N) comparisons and one copy, not a sort
   * of the zone. The same array a stable sort of `records()` gives.
   */
  recordsInOrder(compare: (a: ZoneRecord, b: ZoneRecord) => number): ZoneRecord[] {
    const indexed: ZoneRecord[] = [];
    for (const at of this.byOwner.values()) for (const record of at) indexed.push(record);
    indexed.sort(compare);
    const untouched = this.untouched;
    const all: ZoneRecord[] = [];
    let from = 0;
    for (const record of indexed) {
      // After every untouched record that sorts equal to it, as the stable sort would put it.
      let low = from;
      let high = untouched.length;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if (compare(untouched[middle]!, record) <= 0) low = middle + 1;
        else high = middle;
      }
      for (let i = from; i < low; i++) all.push(untouched[i]!);
      all.push(record);
      from = low;
    }
    for (let i = from; i < untouched.length; i++) all.push(untouched[i]!);
    return all;
  }

  toZoneFile(): ZoneFile {
    return { origin: this.origin, records: this.records() };
  }

  private assertIndexed(name: string): void {
    if (this.names !== undefined && !this.names.has(name)) {
      throw new Error(`${name} is not one of the names this index of ${this.origin} covers`);
    }
  }
}
