import type { EarlyEndpoints, SerialisedRecords, ZoneRead } from '@dnsgate/plugin-sdk';

/** A read its plugin answered as JSON (DnsPlugin.serialisedRecords): sent as it is. */
export interface SerialisedRead {
  readonly serialised: SerialisedRecords;
}

/** What one backend's read gives: zone reads (the records cache's, or the plugin's records()), or its answer's JSON. */
export type BackendRead = ZoneRead | SerialisedRead;

export function isSerialisedRead(read: BackendRead): read is SerialisedRead {
  return 'serialised' in read;
}

/** How the answer of a read will be made, which decides how a backend may read. */
export interface RecordsReadOptions {
  /** Where a plugin's `records()` may hand over finished record sets (SerialisedAhead). */
  readonly early?: EarlyEndpoints;
  /**
   * Whether the read goes into the answer unchanged: no domain filter that
   * could leave out a name of the zones. Only then may a plugin's own JSON
   * (serialisedRecords) be the answer.
   */
  readonly sentUnchanged: boolean;
}
