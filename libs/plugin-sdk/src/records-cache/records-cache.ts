import type { Endpoint } from '@dnsgate/protocol';
import type {
  CallContext,
  ChangeGroup,
  DnsPlugin,
  GroupResult,
  Readiness,
  RecordCheck,
  RecordRole,
  RecordsRequest,
  ZoneState,
} from '../contract/dns-plugin.interface.js';
import type { VersionedZone, ZoneVersionExactness, ZoneVersionSource } from '../contract/zone-versions.interface.js';
import { zoneStateOf } from '../batch/batch-pipeline.js';
import { Limiter } from '../concurrency/limiter.js';

/** `auto`: on where the plugin's zone versions are exact; `on` / `off`: as said. */
export type RecordsCacheMode = 'auto' | 'on' | 'off';
export const RECORDS_CACHE_MODES: readonly RecordsCacheMode[] = ['auto', 'on', 'off'];

/** Whether an instance caches its reads: never without zone versions; `auto` only where they are exact. */
export function recordsCacheApplies(mode: RecordsCacheMode, exactness: ZoneVersionExactness | undefined): boolean {
  if (exactness === undefined || mode === 'off') return false;
  return mode === 'on' || exactness === 'exact';
}

/** What one zone of a read cost: served unchanged, brought up to date by its difference, or read whole. */
export type ZoneReadKind = 'hit' | 'incremental' | 'full';

export interface RecordsCacheObserver {
  /** One zone's version was asked of the backend (the revalidation), and how the zone was then served. */
  zoneRead(zone: string, kind: ZoneReadKind): void;
  /**
   * A write landed in the zone and its version did not move: versions of this
   * zone cannot show every change, and only the maximum age bounds a stale
   * read of changes made outside dnsgate. Called once per zone.
   */
  versionDidNotMove(zone: string): void;
}

export interface RecordsCacheSettings {
  /** A zone read whole longer ago than this is read whole again, whatever its version says. */
  maxAgeMs: number;
  observer?: RecordsCacheObserver;
  /** The clock, for tests. */
  now?: () => number;
}

/**
 * One zone's records as a read served them. `reusable` arrays are served
 * again, the same array, for as long as the zone does not change, so what is
 * derived from them (the JSON answer) can be kept with them.
 */
export interface ZoneRead {
  /** Undefined for the records of zones the plugin gave no version for, read by its own `records()`. */
  readonly zone: string | undefined;
  readonly endpoints: readonly Endpoint[];
  readonly reusable: boolean;
}

interface CachedZone extends VersionedZone {
  /** When the read this entry descends from (whole, then differences) began. */
  readonly wholeReadAt: number;
  /** The conflict check's view of it, made once when first asked. */
  state?: ZoneState;
}

const DEFAULT_ZONE_READS = 4;

/**
 * The records cache: a decorator around a plugin with zone versions, like
 * ExternalDNS's cached provider, but revalidated by what the backend says
 * changed instead of a timer. Each Records call asks every zone's version
 * (one SOA query, one stat, one zone listing); an unchanged zone is served
 * from the last read, a changed one is read by its difference (IXFR) where
 * the plugin can, else whole. Every write drops the zone it touched, so a
 * read after a write sees it; the maximum age bounds what a version does not
 * show. Plugins keep no cache of their own.
 */
export class RecordsCachingPlugin implements DnsPlugin {
  private readonly cache = new Map<string, CachedZone>();
  /** Bumped when a zone is dropped: a read that began before must not store what it read. */
  private readonly generations = new Map<string, number>();
  /** Zones written since their last read, with the version they had before: to notice one that does not move. */
  private readonly versionsBeforeWrite = new Map<string, string>();
  private readonly untrusted = new Set<string>();
  private readonly now: () => number;

  constructor(
    private readonly inner: DnsPlugin,
    private readonly source: ZoneVersionSource,
    private readonly settings: RecordsCacheSettings,
  ) {
    this.now = settings.now ?? Date.now;
  }

  get concurrency(): DnsPlugin['concurrency'] {
    return this.inner.concurrency;
  }

  get zoneVersions(): ZoneVersionSource {
    return this.source;
  }

  /** How many zones are held, for tests and the log. */
  get cachedZones(): number {
    return this.cache.size;
  }

  start(): Promise<void> {
    return this.inner.start?.() ?? Promise.resolve();
  }

  async stop(): Promise<void> {
    this.cache.clear();
    await this.inner.stop?.();
  }

  readiness(): Promise<Readiness> {
    return this.inner.readiness();
  }

  zones(): Promise<string[]> {
    return this.inner.zones();
  }

  checkRecord(endpoint: Endpoint, zone: string, role: RecordRole): RecordCheck {
    return this.inner.checkRecord(endpoint, zone, role);
  }

  async records(request: RecordsRequest, call: CallContext): Promise<Endpoint[]> {
    const reads = await this.readZones(request, call);
    return reads.flatMap((read) => read.endpoints);
  }

  /** The records of the requested zones, zone by zone, each served from the cache where its version allows. */
  async readZones(request: RecordsRequest, call: CallContext): Promise<ZoneRead[]> {
    const zones = [...new Set(request.zones)];
    const versions = await this.source.currentVersions(zones, call);
    const limiter = new Limiter(this.inner.concurrency?.zoneReads ?? DEFAULT_ZONE_READS);
    const versioned = zones.filter((zone) => versions.has(zone));
    const reads = await Promise.all(
      versioned.map((zone) => limiter.run(() => this.readZone(zone, versions.get(zone)!, call))),
    );
    const unversioned = zones.filter((zone) => !versions.has(zone));
    if (unversioned.length > 0) {
      reads.push({
        zone: undefined,
        endpoints: await this.inner.records({ zones: unversioned }, call),
        reusable: false,
      });
    }
    return reads;
  }

  /**
   * From the cache when the zone's version is the cached one. Only where
   * versions are exact: the conflict check guards against stale changes,
   * and a version that may not move would let one through.
   */
  async readZoneState(zone: string, call: CallContext): Promise<ZoneState> {
    const cached = this.usable(this.cache.get(zone));
    if (cached && this.source.exactness === 'exact' && !this.untrusted.has(zone)) {
      const versions = await this.source.currentVersions([zone], call);
      if (versions.get(zone) === cached.version) {
        this.settings.observer?.zoneRead(zone, 'hit');
        cached.state ??= zoneStateOf(cached.endpoints);
        return cached.state;
      }
    }
    return this.inner.readZoneState(zone, call);
  }

  async writeGroup(group: ChangeGroup, call: CallContext): Promise<GroupResult | void> {
    const before = this.cache.get(group.zone)?.version;
    this.drop(group.zone);
    try {
      const result = await this.inner.writeGroup(group, call);
      const failed = (result?.failed ?? []).reduce((sum, part) => sum + part.changes.length, 0);
      if (before !== undefined && failed < group.changes.length) this.versionsBeforeWrite.set(group.zone, before);
      return result;
    } finally {
      // Dropped again: a read that ran beside the write may have stored the zone as it was before.
      this.drop(group.zone);
    }
  }

  private async readZone(zone: string, version: string, call: CallContext): Promise<ZoneRead> {
    this.noticeVersionAfterWrite(zone, version);
    const cached = this.usable(this.cache.get(zone));
    if (cached?.version === version) {
      this.settings.observer?.zoneRead(zone, 'hit');
      return { zone, endpoints: cached.endpoints, reusable: true };
    }
    const generation = this.generations.get(zone) ?? 0;
    let read: VersionedZone | undefined;
    let wholeReadAt = cached?.wholeReadAt ?? 0;
    if (cached && this.source.readZoneDifference) {
      read = await this.source.readZoneDifference(zone, cached, call);
      if (read) this.settings.observer?.zoneRead(zone, 'incremental');
    }
    if (!read) {
      wholeReadAt = this.now();
      read = await this.source.readVersionedZone(zone, call);
      this.settings.observer?.zoneRead(zone, 'full');
    }
    if ((this.generations.get(zone) ?? 0) === generation) this.cache.set(zone, { ...read, wholeReadAt });
    return { zone, endpoints: read.endpoints, reusable: true };
  }

  /** The entry unless it is older than the maximum age. */
  private usable(cached: CachedZone | undefined): CachedZone | undefined {
    if (!cached || this.now() - cached.wholeReadAt >= this.settings.maxAgeMs) return undefined;
    return cached;
  }

  private drop(zone: string): void {
    this.cache.delete(zone);
    this.generations.set(zone, (this.generations.get(zone) ?? 0) + 1);
  }

  private noticeVersionAfterWrite(zone: string, version: string): void {
    const before = this.versionsBeforeWrite.get(zone);
    if (before === undefined) return;
    this.versionsBeforeWrite.delete(zone);
    if (before !== version || this.untrusted.has(zone)) return;
    this.untrusted.add(zone);
    this.settings.observer?.versionDidNotMove(zone);
  }
}
