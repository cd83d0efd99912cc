import {
  normalizeDnsName,
  zonesWithinEach,
  type CallContext,
  type Deadline,
  type Endpoint,
  type PluginLogger,
  type VersionedZone,
  type ZoneVersionSource,
} from '@dnsgate/plugin-sdk';
import { PowerDnsNotFoundError } from '../client/powerdns-api.errors.js';
import type { PdnsZone, PdnsZoneSummary } from '../client/powerdns-api.types.js';
import { serialTrust } from './serial-trust.js';

/** What the zone versions need of the plugin: its zone list, a zone's settings, a zone read as Records reports it. */
export interface ZoneVersionsHost {
  readonly logger: PluginLogger;
  /** Each call's backend budget: the call's deadline, capped by OPERATION_TIMEOUT. */
  deadlineOf(call: CallContext): Deadline;
  /** The zones to report given the server's zone list (the configured ones, or all of them). */
  managedZones(listing: readonly PdnsZoneSummary[]): string[];
  /** The managed zones, as Records uses them. */
  zones(): Promise<string[]>;
  /** GET /servers/{id}/zones; remembers the zones' ids. */
  listZones(deadline: Deadline): Promise<PdnsZoneSummary[]>;
  /** The zone's JSON without its records. */
  zoneSettings(zone: string, deadline: Deadline): Promise<PdnsZone>;
  /** The zone read as Records reads it (export, JSON where that fails), mapped as Records reports it. */
  readZoneEndpoints(zone: string, managed: readonly string[], deadline: Deadline): Promise<Endpoint[]>;
}

/**
 * Zone versions from PowerDNS's own serials: one zone listing answers for
 * every zone of a call. Advisory, since the serial moves only where the
 * zone's SOA-EDIT-API makes it move on API changes, and never for changes
 * written straight into the database: the records cache is off by default
 * for PowerDNS, and when it is turned on, its maximum age bounds a read that
 * missed such a change. A zone whose serial cannot move is named in the log
 * once, with what to set. PowerDNS has no incremental read over its API, so
 * a changed zone is read whole.
 */
export class PowerDnsZoneVersions implements ZoneVersionSource {
  readonly exactness = 'advisory';
  /** Zones already named in the log as untrusted, with the setting they were named for. */
  private readonly reportedUntrusted = new Map<string, string>();

  constructor(private readonly host: ZoneVersionsHost) {}

  async currentVersions(zones: readonly string[], call: CallContext): Promise<ReadonlyMap<string, string>> {
    const listing = await this.host.listZones(this.host.deadlineOf(call));
    const managed = this.host.managedZones(listing);
    const managedSet = new Set(managed);
    const byName = new Map<string, PdnsZoneSummary>();
    for (const zone of listing) byName.set(normalizeDnsName(zone.name), zone);
    const below = managedZonesBelow(managed);
    const versions = new Map<string, string>();
    // A zone left out (not managed, not on the server, no serial) is read by records(), which knows what to say.
    for (const requested of zones) {
      const zone = normalizeDnsName(requested);
      const summary = byName.get(zone);
      if (!managedSet.has(zone) || !summary) continue;
      const version = versionOf(summary, below.get(zone) ?? []);
      if (version !== undefined) versions.set(requested, version);
    }
    return versions;
  }

  /** The zone's serials first (so the version is never newer than the records), then the zone as Records reads it. */
  async readVersionedZone(requested: string, call: CallContext): Promise<VersionedZone> {
    const deadline = this.host.deadlineOf(call);
    const zone = normalizeDnsName(requested);
    const managed = await this.host.zones();
    if (!managed.includes(zone)) return { version: 'unmanaged', endpoints: [] };
    try {
      const settings = await this.host.zoneSettings(zone, deadline);
      this.reportTrust(zone, settings);
      const endpoints = await this.host.readZoneEndpoints(zone, managed, deadline);
      const version = versionOf(settings, managedZonesBelow(managed).get(zone) ?? []);
      return { version: version ?? 'unversioned', endpoints };
    } catch (error) {
      if (!(error instanceof PowerDnsNotFoundError)) throw error;
      // As records() answers for it: removed since the zone list was read.
      this.host.logger.warn(
        `zone ${zone} does not exist on PowerDNS; it has no records to report (zones are not created)`,
      );
      return { version: 'absent', endpoints: [] };
    }
  }

  /** Says once per zone (and again if its setting changes) when its serial cannot show every change. */
  private reportTrust(zone: string, settings: PdnsZone): void {
    const setting = settings.soa_edit_api ?? '';
    const trust = serialTrust(setting);
    if (trust.trusted) {
      if (this.reportedUntrusted.delete(zone)) {
        this.host.logger.log(`zone ${zone}: SOA-EDIT-API is now ${setting}; its serial moves on every API change`);
      }
      return;
    }
    if (this.reportedUntrusted.get(zone) === setting) return;
    this.reportedUntrusted.set(zone, setting);
    this.host.logger.warn(
      `zone ${zone}: ${trust.why}; the records cache sees changes made to it outside this dnsgate only when ` +
        `DNSGATE_RECORDS_CACHE_MAX_AGE has passed. Set it with \`pdnsutil set-meta ${zone} SOA-EDIT-API DEFAULT\` ` +
        `(or PUT {"soa_edit_api": "DEFAULT"} on the zone). No setting shows changes written straight into the database.`,
    );
  }
}

/**
 * The serial as stored, and the managed zones below this one (`below`: their
 * names leave this zone's records): a child zone created or removed changes
 * what this zone reports without moving its serial. Not the serial as served
 * (`edited_serial`): that is the stored one with the zone's SOA-EDIT applied,
 * which moves with the clock (the week, the inception) and never with a
 * change of records, so it shows nothing the stored serial does not; the
 * zone listing leaves it out (`dnssec=false`, see PowerDnsApiClient.listZones).
 */
function versionOf(zone: PdnsZoneSummary, below: readonly string[]): string | undefined {
  if (typeof zone.serial !== 'number') return undefined;
  const serial = String(zone.serial);
  return below.length > 0 ? `${serial} without ${[...below].sort().join(',')}` : serial;
}

/** For each managed zone with managed zones below it, those zones (see zonesWithinEach). */
export function managedZonesBelow(managed: readonly string[]): Map<string, string[]> {
  return zonesWithinEach(new Set(managed.map(normalizeDnsName)));
}
