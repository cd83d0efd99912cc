import { access, constants, mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  BackendError,
  BackendTimeoutError,
  ChangeRejectedError,
  GroupRefusedError,
  conflictOf,
  findZone,
  isDnsgateError,
  ownerNameProblem,
  targetRuleProblem,
  zoneStateOf,
  type Changes,
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
  type ZoneState,
} from '@dnsgate/plugin-sdk';
import { EndpointRejectedError, normalizeEndpoint } from './endpoint-normalizer.js';
import type { FilePluginOptions } from './file.options.js';
import { canonicalHostname } from './zone-file/dns-names.js';
import { ENDPOINT_RECORD_TYPES } from './zone-file/rdata.js';
import { InvalidRecordError, ZoneFileSyntaxError } from './zone-file/zone-file.errors.js';
import type { ZoneFile, ZoneRecord } from './zone-file/zone-record.js';
import { removeStaleTempFiles } from './zone-store/atomic-write.js';
import { LockTimeoutError } from './zone-store/file-lock.js';
import { ZoneStore, type ZoneStoreOptions } from './zone-store/zone-store.js';

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
      await mkdir(this.store.dir, { recursive: true });
      await access(this.store.dir, constants.R_OK | constants.W_OK);
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
    const endpoints: Endpoint[] = [];
    for (const [zone, path] of managed) {
      if (!wanted.has(zone)) continue;
      const loaded = await this.store.load(zone, path).catch((error: unknown) => {
        throw this.backendError(error);
      });
      endpoints.push(...endpointsOf(loaded.file, all));
    }
    return endpoints;
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
    const loaded = await this.store.load(zone, path).catch((error: unknown) => {
      throw this.backendError(error);
    });
    return zoneStateOf(endpointsOf(loaded.file, [...managed.keys()]));
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
    const zones = [...managed.keys()];
    const failed: Array<{ changes: PlannedChange[]; error: Error }> = [];
    const started = process.hrtime.bigint();
    let written: string[];
    try {
      written = await this.store.update(new Map([[group.zone, path]]), (loaded) => {
        const state = zoneStateOf(endpointsOf(loaded[0]!.file, zones));
        const fits: PlannedChange[] = [];
        for (const change of group.changes) {
          const conflict = conflictOf(change, state);
          if (conflict) {
            failed.push({
              changes: [change],
              error: new ChangeRejectedError(`${conflict} (changed by another writer)`),
            });
          } else {
            fits.push(change);
          }
        }
        return applyToZones(
          loaded.map((l) => l.file),
          batchOf(fits),
          zones,
        );
      });
    } catch (error) {
      if (error instanceof CnameBesideDataError) {
        const suspects = group.changes.flatMap((change, index) =>
          error.names.has((change.desired ?? change.current)!.dnsName) ? [index] : [],
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

/**
 * The endpoints of one zone file: one per (name, type), targets merged and
 * sorted, TTL of the first record (as BIND does). Not reported: the SOA and
 * the apex NS (the plugin's own), types ExternalDNS does not manage, names a
 * deeper managed zone owns, and names with escapes no endpoint can carry.
 */
export function endpointsOf(file: ZoneFile, managedZones: readonly string[]): Endpoint[] {
  const sets = new Map<string, Endpoint>();
  for (const record of file.records) {
    if (record.verbatim || !ENDPOINT_RECORD_TYPES.has(record.type)) continue;
    if (record.name === file.origin && record.type === 'NS') continue;
    if (findZone(record.name, managedZones) !== file.origin) continue;
    try {
      canonicalHostname(record.name, { wildcard: true });
    } catch {
      continue;
    }
    const key = `${record.name}|${record.type}`;
    let endpoint = sets.get(key);
    if (!endpoint) {
      endpoint = { dnsName: record.name, targets: [], recordType: record.type, recordTTL: record.ttl };
      sets.set(key, endpoint);
    }
    if (!endpoint.targets.includes(record.data)) endpoint.targets.push(record.data);
  }
  return [...sets.values()]
    .map((e) => ({ ...e, targets: e.targets.sort() }))
    .sort((a, b) => (a.dnsName < b.dnsName ? -1 : a.dnsName > b.dnsName ? 1 : a.recordType < b.recordType ? -1 : 1));
}

/** The planned changes as the Changes applyToZones takes. */
function batchOf(changes: readonly PlannedChange[]): Changes {
  const batch: Changes = { create: [], updateOld: [], updateNew: [], delete: [] };
  for (const change of changes) {
    if (change.action === 'create') batch.create.push(change.desired!);
    else if (change.action === 'delete') batch.delete.push(change.current!);
    else {
      batch.updateOld.push(change.current!);
      batch.updateNew.push(change.desired!);
    }
  }
  return batch;
}

/** The names at which the result would hold a CNAME beside other data, which `named` refuses to load. */
export class CnameBesideDataError extends InvalidRecordError {
  constructor(
    readonly names: ReadonlySet<string>,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Applies a checked batch to the loaded files in memory; returns the zones
 * changed. Throws CnameBesideDataError when the result would not load in
 * BIND (a CNAME beside other data), before anything is written.
 */
function applyToZones(files: ZoneFile[], batch: Changes, zones: readonly string[]): Set<string> {
  const byZone = new Map(files.map((f) => [f.origin, f]));
  const changed = new Set<string>();
  const names = new Set<string>();
  const fileOf = (endpoint: Endpoint): ZoneFile => byZone.get(findZone(endpoint.dnsName, zones)!)!;
  const removeSet = (endpoint: Endpoint) => {
    const file = fileOf(endpoint);
    file.records = file.records.filter((r) => !(r.name === endpoint.dnsName && r.type === endpoint.recordType));
    changed.add(file.origin);
    names.add(endpoint.dnsName);
  };
  const addSet = (endpoint: Endpoint) => {
    const file = fileOf(endpoint);
    for (const target of endpoint.targets) {
      const record: ZoneRecord = {
        name: endpoint.dnsName,
        ttl: endpoint.recordTTL!,
        type: endpoint.recordType,
        data: target,
        verbatim: false,
        origin: file.origin,
      };
      file.records.push(record);
    }
    changed.add(file.origin);
    names.add(endpoint.dnsName);
  };
  for (const endpoint of batch.delete) removeSet(endpoint);
  for (const endpoint of batch.updateOld) removeSet(endpoint);
  for (const endpoint of [...batch.updateNew, ...batch.create]) {
    removeSet(endpoint);
    addSet(endpoint);
  }
  const clashes = new Map<string, string>();
  for (const file of files) {
    for (const name of names) {
      const types = new Set(file.records.filter((r) => r.name === name).map((r) => r.type));
      if (types.has('CNAME') && [...types].some((t) => t !== 'CNAME' && t !== 'RRSIG' && t !== 'NSEC')) {
        clashes.set(name, `CNAME ${name} would sit beside other records (${[...types].sort().join(', ')})`);
      }
    }
  }
  if (clashes.size > 0) throw new CnameBesideDataError(new Set(clashes.keys()), [...clashes.values()].join('; '));
  return changed;
}
