import type { Endpoint } from '@dnsgate/protocol';

interface TallyEntry<T> {
  readonly recordType: string;
  readonly setIdentifier: string;
  readonly first: T;
  /** The values added after the first, once the record set is named again. */
  more?: T[];
  /** When the record set was first added: repeated sets are reported in this order. */
  readonly order: number;
  /** The next record set at the same name (another type or set identifier). */
  next?: TallyEntry<T>;
}

/**
 * Finds the record sets (name, type, set identifier: what `endpointKey` joins)
 * named more than once in a batch, without building a key string per change.
 *
 * Why: the batch pipeline looked each change up by `endpointKey`, a string made
 * per change and hashed once into a Map; the names are already strings, and
 * the few record sets sharing a name are told apart by comparing their type
 * and set identifier. Measured on the 10k endpoints of the PowerDNS
 * 10k-create batch (CPU time, median of 60 runs on this 2-core machine): 4.5 ms
 * against 7.6 ms for the Map of key strings. record-set-tally.spec.ts checks
 * by property that it finds what the key strings found, in the same order.
 */
export class RecordSetTally<T> {
  private readonly byName = new Map<string, TallyEntry<T>>();
  private readonly repeated: Array<TallyEntry<T>> = [];
  private added = 0;

  /** Records that `value` is about the record set of `endpoint`. */
  add(endpoint: Pick<Endpoint, 'dnsName' | 'recordType' | 'setIdentifier'>, value: T): void {
    const { dnsName, recordType } = endpoint;
    const setIdentifier = endpoint.setIdentifier ?? '';
    let entry = this.byName.get(dnsName);
    if (entry === undefined) {
      this.byName.set(dnsName, { recordType, setIdentifier, first: value, order: this.added++ });
      return;
    }
    for (;;) {
      if (entry.recordType === recordType && entry.setIdentifier === setIdentifier) {
        if (entry.more === undefined) {
          entry.more = [];
          this.repeated.push(entry);
        }
        entry.more.push(value);
        return;
      }
      if (entry.next === undefined) {
        entry.next = { recordType, setIdentifier, first: value, order: this.added++ };
        return;
      }
      entry = entry.next;
    }
  }

  /** Whether some record set was added more than once. */
  get hasRepeats(): boolean {
    return this.repeated.length > 0;
  }

  /** The values of each record set added more than once, in the order the sets were first added. */
  repeats(): T[][] {
    return [...this.repeated].sort((a, b) => a.order - b.order).map((entry) => [entry.first, ...entry.more!]);
  }
}
