import type { Endpoint } from '@dnsgate/protocol';
import type { CallContext } from './dns-plugin.interface.js';

/**
 * How far a zone's version can be trusted to move on every change.
 * - `exact`: every change moves it (the SOA serial of a server that bumps it
 *   on each update, a file's identity). The records cache is on by default.
 * - `advisory`: a change may leave it where it was (PowerDNS without
 *   SOA-EDIT-API, a file edited by hand without a serial bump). The cache is
 *   off by default; when turned on, its maximum age bounds a stale read.
 */
export type ZoneVersionExactness = 'exact' | 'advisory';

/**
 * One zone's record sets, with the version of the zone they were read at.
 * The version must be one read no later than the records (before them, or
 * in the same exchange, like the SOA that opens an AXFR): a version newer
 * than the records would hide a change until the maximum age.
 */
export interface VersionedZone {
  /** Opaque; equal versions mean an unchanged zone (see `ZoneVersionSource.exactness`). */
  readonly version: string;
  /** In the form `records()` reports them. Never mutated once returned: the cache shares it. */
  readonly endpoints: readonly Endpoint[];
  /**
   * Whatever `readZoneDifference` needs to bring this read up to date, e.g.
   * the RRs of the last transfer. The cache keeps it and hands it back.
   */
  readonly incremental?: unknown;
}

/**
 * Optional capability of a plugin (`DnsPlugin.zoneVersions`): reads that the
 * gateway's records cache can revalidate with what the backend itself says
 * changed, instead of a blind timer. The cache, not the plugin, decides when
 * to read; the plugin only answers these three questions.
 */
export interface ZoneVersionSource {
  readonly exactness: ZoneVersionExactness;
  /**
   * Each zone's current version, in one cheap exchange per zone or fewer
   * (an SOA query, a stat, one zone listing for all). A zone left out of the
   * answer is read whole. Throw the SDK's error types, as `records()` does.
   */
  currentVersions(zones: readonly string[], call: CallContext): Promise<ReadonlyMap<string, string>>;
  /** One zone's record sets and the version they were read at, read whole. */
  readVersionedZone(zone: string, call: CallContext): Promise<VersionedZone>;
  /**
   * `cached` brought up to the zone's current version by reading only what
   * changed (IXFR). Answer `undefined` when the backend cannot (it answers
   * with the whole zone, refuses, or has forgotten that version): the cache
   * then reads the zone whole.
   */
  readZoneDifference?(zone: string, cached: VersionedZone, call: CallContext): Promise<VersionedZone | undefined>;
}
