import { access, constants } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  BackendError,
  BackendTimeoutError,
  ChangeRejectedError,
  DeadlineExceededError,
  GroupRefusedError,
  isDnsgateError,
  ownerNameProblem,
  subjectOf,
  targetRuleProblem,
  type CallContext,
  type ChangeGroup,
  type DnsPlugin,
  type Endpoint,
  type GroupResult,
  type PlannedChange,
  type PluginContext,
  type Readiness,
  type RecordCheck,
  type RecordRole,
  type RecordsRequest,
  type VersionedZone,
  type ZoneState,
  type ZoneVersionSource,
} from '@dnsgate/plugin-sdk';
import { EndpointRejectedError, normalizeEndpoint } from './endpoint-normalizer.js';
import type { FilePluginOptions } from './file.options.js';
import { ensureDirectory } from './start/ensure-directory.js';
import { canonicalHostname } from './zone-file/dns-names.js';
import { InvalidRecordError, ZoneFileSyntaxError } from './zone-file/zone-file.errors.js';
import { CnameBesideDataError, applyGroupToFile } from './zone-model/zone-changes.js';
import { zoneStateOfSorted } from './zone-model/zone-state.js';
import { removeStaleTempFiles } from './zone-store/atomic-write.js';
import { LockTimeoutError } from './zone-store/file-lock.js';
import { ZoneStore, type ZoneStoreOptions } from './zone-store/zone-store.js';

/** The managed zones below `zone`: their names are not this zone's endpoints. */
function deeperZones(zone: string, managedZones: readonly string[]): string[] {
  return managedZones.filter((other) => other.endsWith(`.${zone}`)).sort();
}

/**
 * The zones' listings as one new array (the listings are shared and frozen),
 * copied a listing at a time by `concat`, not an endpoint at a time by
 * `push`: 100k endpoints took 13 ms with push, 3.4 ms with concat (median
 * of 15, Node 20). One argument per zone, never per endpoint, so no size
 * of zone can overflow the call stack.
 */
export function joinListings(listings: ReadonlyArray<readonly Endpoint[]>): Endpoint[] {
  return ([] as Endpoint[]).concat(...listings);
}

/** Internal knobs for tests; not options a user sets. */
export interface FilePluginInternals {
  beforeRename?: ZoneStoreOptions['beforeRename'];
}

/** The file plugin: one RFC 1035 master file per zone, rewritten atomically under a lock. */
export class FilePlugin implements DnsPlugin {
  private readonly store: ZoneStore;
  private startError: string | undefined = 'not started';
  private readonly metrics;

  constructor(
    private readonly options: FilePluginOptions,
    private readonly context: PluginContext,
    internals: FilePluginInternals = {},
  ) {
    this.store = new ZoneStore({
      dir: resolve(options.dir),
      defaultTtl: options.defaultTtl,
      nameservers: options.nameservers,
      lockTimeoutMs: options.lockTimeoutMs,
      ...(internals.beforeRename ? { beforeRename: internals.beforeRename } : {}),
    });
    const m = context.metrics;
    this.metrics = {
      writes: m.counter({
        name: 'zone_writes_total',
        help: 'Zone files rewritten (one atomic write each).',
        labelNames: ['instance', 'zone'] as const,
      }),
      writeDuration: m.histogram({
        name: 'write_duration_seconds',
        help: 'Time from asking for the zone lock to the file renamed in place, per group of changes.',
        labelNames: ['instance'] as const,
        buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10],
      }),
      zones: m.gauge({ name: 'zones', help: 'Zones the plugin manages.', labelNames: ['instance'] as const }),
    };
  }

  private get instance(): string {
    return this.context.instanceName;
  }

  async start(): Promise<void> {
    const log = this.context.logger;
    try {
      await ensureDirectory(this.store.dir);
      await access(this.store.dir, constants.R_OK | constants.W_OK).catch((error: NodeJS.ErrnoException) => {
        throw new Error(`cannot read and write it: ${error.code ?? error.message}`, { cause: error });
      });
      for (const removed of await removeStaleTempFiles(this.store.dir)) {
        log.warn(`removed ${removed} in ${this.store.dir}, left by an interrupted write`);
      }
      for (const configured of this.options.zones) {
        const zone = canonicalHostname(configured);
        if (await this.store.createZoneIfMissing(zone)) log.log(`created zone file ${zone}.zone in ${this.store.dir}`);
      }
    } catch (error) {
      this.startError = `zone directory ${this.store.dir}: ${(error as Error).message}`;
      throw this.backendError(error);
    }
    const zones = await this.managedZones();
    this.startError = undefined;
    if (zones.size === 0) {
      log.warn(
        `no zones in ${this.store.dir}: set ${this.context.optionPrefix}ZONES=example.com (the file is created), ` +
          `or put a master file named example.com.zone or db.example.com in that directory`,
      );
    } else {
      log.log(`serving ${zones.size} zone(s) from ${this.store.dir}: ${[...zones.keys()].join(', ')}`);
    }
  }

  async readiness(): Promise<Readiness> {
    if (this.startError !== undefined) return { ready: false, reason: this.startError };
    try {
      await access(this.store.dir, constants.R_OK | constants.W_OK);
      return { ready: true };
    } catch (error) {
      return { ready: false, reason: `zone directory ${this.store.dir} is not writable: ${(error as Error).message}` };
    }
  }

  async zones(): Promise<string[]> {
    return [...(await this.managedZones()).keys()].sort();
  }

  async records(request: RecordsRequest): Promise<Endpoint[]> {
    const managed = await this.managedZones();
    const wanted = new Set(request.zones.map((z) => z.toLowerCase().replace(/\.$/, '')));
    const all = [...managed.keys()];
    const listings: Array<readonly Endpoint[]> = [];
    for (const [zone, path] of managed) {
      if (!wanted.has(zone)) continue;
      const listed = await this.store.loadEndpoints(zone, path, all).catch((error: unknown) => {
        throw this.backendError(error);
      });
      listings.push(listed);
    }
    return joinListings(listings);
  }

  /**
   * The record set as the zone file will hold it, or why `named` would not
   * load it: the plugin's own rdata rules, then BIND's check-names (primary
   * zones fail on them by default) and the TXT, NAPTR limits every loader has.
   */
  checkRecord(endpoint: Endpoint, zone: string, role: RecordRole): RecordCheck {
    let normalized: Endpoint;
    try {
      normalized = normalizeEndpoint(endpoint, {
        zones: [zone],
        defaultTtl: this.options.defaultTtl,
        identityOnly: role === 'current',
      }).endpoint;
    } catch (error) {
      if (error instanceof EndpointRejectedError) return { ok: false, reason: error.reason, problem: error.message };
      if (error instanceof InvalidRecordError) return { ok: false, reason: 'target', problem: error.message };
      throw error;
    }
    if (role === 'desired') {
      const problem =
        ownerNameProblem(normalized.dnsName, normalized.recordType) ??
        normalized.targets.map((t) => targetRuleProblem(normalized.recordType, t, { checkNames: true })).find(Boolean);
      if (problem) return { ok: false, reason: 'loader_rule', problem };
    }
    return { ok: true, endpoint: normalized };
  }

  async readZoneState(zone: string): Promise<ZoneState> {
    const managed = await this.managedZones();
    const path = managed.get(zone);
    if (!path) throw new BackendError(`zone ${zone} has no zone file in ${this.store.dir}`);
    const records = await this.store.loadInWritingOrder(zone, path).catch((error: unknown) => {
      throw this.backendError(error);
    });
    return zoneStateOfSorted(records, zone, [...managed.keys()]);
  }

  /**
   * Zone versions for the gateway's records cache: the zone file's identity
   * (device, inode, size, mtime in ns), one stat per zone. Exact: every write
   * through the plugin, a file renamed over it, and an edit in place move it
   * (see `zoneFileVersion` for the clock tick in which they might not).
   */
  readonly zoneVersions: ZoneVersionSource = {
    exactness: 'exact',
    currentVersions: (zones, call) => this.versionsOf(zones, call),
    readVersionedZone: (zone, call) => this.readVersionedZone(zone, call),
  };

  private async versionsOf(zones: readonly string[], call: CallContext): Promise<ReadonlyMap<string, string>> {
    const managed = await this.managedZones();
    const all = [...managed.keys()];
    const versions = new Map<string, string>();
    await Promise.all(
      zones.map(async (zone) => {
        const path = managed.get(zone);
        if (path === undefined) return;
        this.failIfLate(call, `the version of ${zone} was not read`);
        const version = await this.store.version(path, deeperZones(zone, all)).catch((error: unknown) => {
          throw this.backendError(error);
        });
        if (version !== undefined) versions.set(zone, version);
      }),
    );
    return versions;
  }

  private async readVersionedZone(zone: string, call: CallContext): Promise<VersionedZone> {
    const managed = await this.managedZones();
    const path = managed.get(zone);
    if (!path) throw new BackendError(`zone ${zone} has no zone file in ${this.store.dir}`);
    this.failIfLate(call, `${zone} was not read`);
    const all = [...managed.keys()];
    return this.store.loadVersioned(zone, path, all, deeperZones(zone, all)).catch((error: unknown) => {
      throw this.backendError(error);
    });
  }

  private failIfLate(call: CallContext, what: string): void {
    if (call.deadline.expired) throw new DeadlineExceededError(`${what}: the call's deadline passed`);
  }

  /**
   * Rewrites the zone's file once for the group, under its lock. The file is
   * read again under the lock: a change another writer made since the check
   * refuses the changes it contradicts, not the group. A group whose result
   * `named` would refuse (a CNAME beside other data) is refused whole, naming
   * the changes at those names, so the pipeline writes the rest without them.
   */
  async writeGroup(group: ChangeGroup): Promise<GroupResult> {
    const managed = await this.managedZones();
    const path = managed.get(group.zone);
    if (!path) throw new BackendError(`zone ${group.zone} has no zone file in ${this.store.dir}`);
    const failed: Array<{ changes: PlannedChange[]; error: Error }> = [];
    const started = process.hrtime.bigint();
    let written: string[];
    try {
      written = await this.store.update(new Map([[group.zone, path]]), (loaded) => {
        const { conflicts, changed } = applyGroupToFile(loaded[0]!.file, group.changes, { inWritingOrder: true });
        for (const { change, problem } of conflicts) {
          failed.push({ changes: [change], error: new ChangeRejectedError(`${problem} (changed by another writer)`) });
        }
        return changed ? new Set([group.zone]) : new Set<string>();
      });
    } catch (error) {
      if (error instanceof CnameBesideDataError) {
        const suspects = group.changes.flatMap((change, index) =>
          error.names.has(subjectOf(change).dnsName) ? [index] : [],
        );
        throw new GroupRefusedError(error.message, { suspects });
      }
      throw this.backendError(error);
    }
    this.metrics.writeDuration.observe({ instance: this.instance }, Number(process.hrtime.bigint() - started) / 1e9);
    for (const zone of written) this.metrics.writes.inc({ instance: this.instance, zone });
    return { failed };
  }

  private async managedZones(): Promise<Map<string, string>> {
    try {
      const { files, skipped } = await this.store.discover();
      for (const reason of skipped) this.context.logger.debug(`ignoring ${reason}`);
      this.metrics.zones.set({ instance: this.instance }, files.size);
      return files;
    } catch (error) {
      throw this.backendError(error);
    }
  }

  private backendError(error: unknown): Error {
    if (isDnsgateError(error)) return error;
    if (error instanceof LockTimeoutError) return new BackendTimeoutError(error.message, { cause: error });
    if (error instanceof ZoneFileSyntaxError)
      return new BackendError(`cannot read zone file: ${error.message}`, { cause: error });
    return new BackendError(`zone file I/O failed: ${(error as Error).message}`, { cause: error });
  }
}
