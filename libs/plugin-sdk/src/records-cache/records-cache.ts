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
import { concatenated } from '../records/concatenated.js';

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
 * the plugin can, else whole. A write keeps the zone's entry as the base of
 * the next read's difference, but that read may not serve it unless the
 * version moved, so a read after a write sees it; the maximum age bounds what
 * a version does not show. Plugins keep no cache of their own.
 */
export class RecordsCachingPlugin implements DnsPlugin {
  private readonly cache = new Map<string, CachedZone>();
  /** Bumped when a write begins and ends: a read that ran beside it must not store what it read. */
  private readonly generations = new Map<string, number>();
  /** Zones written since their last read: the next read may use the entry only as the base of a difference. */
  private readonly writtenSinceRead = new Map<string, WrittenZone>();
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
    return concatenated(reads.map((read) => read.endpoints));
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
      const version = (await this.source.currentVersions([zone], call)).get(zone);
      // A moved version is brought up to date as a read would be, where the
      // plugin reads differences: a batch right after another (whose write
      // moved the serial) then costs an IXFR, not a whole transfer.
      if (version !== undefined && (version === cached.version || this.source.readZoneDifference)) {
        const read = await this.readZone(zone, version, call);
        const entry = this.cache.get(zone);
        if (entry?.endpoints !== read.endpoints) return zoneStateOf(read.endpoints);
        entry.state ??= zoneStateOf(entry.endpoints);
        return entry.state;
      }
    }
    return this.inner.readZoneState(zone, call);
  }

  async writeGroup(group: ChangeGroup, call: CallContext): Promise<GroupResult | void> {
    const kept = this.cache.get(group.zone);
    this.invalidateReadsInFlight(group.zone);
    let landed = false;
    try {
      const result = await this.inner.writeGroup(group, call);
      const failed = (result?.failed ?? []).reduce((sum, part) => sum + part.changes.length, 0);
      landed = failed < group.changes.length;
      return result;
    } finally {
      this.invalidateReadsInFlight(group.zone);
      this.keepAsDifferenceBase(group.zone, kept, landed);
    }
  }

  private async readZone(zone: string, version: string, call: CallContext): Promise<ZoneRead> {
    const cached = this.usable(this.cache.get(zone));
    if (cached?.version === version && this.mayServeAfterWrite(zone, version)) {
      this.settings.observer?.zoneRead(zone, 'hit');
      return { zone, endpoints: cached.endpoints, reusable: true };
    }
    const generation = this.generations.get(zone) ?? 0;
    let read: VersionedZone | undefined;
    let wholeReadAt = cached?.wholeReadAt ?? 0;
    if (cached && cached.version !== version && this.source.readZoneDifference) {
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

  private invalidateReadsInFlight(zone: string): void {
    this.generations.set(zone, (this.generations.get(zone) ?? 0) + 1);
  }

  /**
   * After a write the zone's entry is what it was before the write (never
   * what a read beside the write stored), marked written. Kept rather than
   * dropped: where the plugin reads differences, ExternalDNS's read after its
   * own apply is then an IXFR of that apply instead of a whole transfer.
   */
  private keepAsDifferenceBase(zone: string, kept: CachedZone | undefined, landed: boolean): void {
    if (!kept) {
      this.cache.delete(zone);
      return;
    }
    this.cache.set(zone, kept);
    const earlier = this.writtenSinceRead.get(zone);
    this.writtenSinceRead.set(zone, { versionBefore: kept.version, landed: landed || (earlier?.landed ?? false) });
  }

  /**
   * Whether the entry of a zone at `version` may be served as it is. Not when
   * the zone was written since and its version did not move: the write may
   * have landed anyway (a version that cannot show every change, or a write
   * whose answer was lost), so the zone is read whole; and where a write
   * that landed did not move it, the log says so once.
   */
  private mayServeAfterWrite(zone: string, version: string): boolean {
    const written = this.writtenSinceRead.get(zone);
    if (!written) return true;
    this.writtenSinceRead.delete(zone);
    if (written.versionBefore !== version) return true;
    if (written.landed && !this.untrusted.has(zone)) {
      this.untrusted.add(zone);
      this.settings.observer?.versionDidNotMove(zone);
    }
    return false;
  }
}

interface WrittenZone {
  /** The version of the entry the write kept. */
  readonly versionBefore: string;
  /** Whether any change of a write since the last read landed. */
  readonly landed: boolean;
}
