import { access, constants } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  assertBatchApplicable,
  BackendError,
  BackendTimeoutError,
  ChangeRejectedError,
  describeEndpoint,
  endpointKey,
  findZone,
  isDnsgateError,
  type Changes,
  type DnsPlugin,
  type Endpoint,
  type PluginContext,
  type Readiness,
  type RecordsRequest,
} from '@dnsgate/plugin-sdk';
import { EndpointRejectedError, normalizeEndpoint, type NormalizedEndpoint } from './endpoint-normalizer.js';
import type { FilePluginOptions } from './file.options.js';
import { ensureDirectory } from './start/ensure-directory.js';
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
      dropped: m.counter({
        name: 'endpoints_dropped_total',
        help: 'Desired endpoints AdjustEndpoints dropped because a zone file cannot hold them, by reason.',
        labelNames: ['instance', 'reason'] as const,
      }),
      rejected: m.counter({
        name: 'batches_rejected_total',
        help: 'ApplyChanges batches refused whole before anything was written.',
        labelNames: ['instance'] as const,
      }),
      writes: m.counter({
        name: 'zone_writes_total',
        help: 'Zone files rewritten (one atomic write each).',
        labelNames: ['instance', 'zone'] as const,
      }),
      writeDuration: m.histogram({
        name: 'write_duration_seconds',
        help: 'Time from asking for the zone locks to the last file renamed in place, per batch.',
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
        `no zones in ${this.store.dir}: set DNSGATE_FILE_ZONES=example.com (the file is created), ` +
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

  async adjustEndpoints(endpoints: Endpoint[]): Promise<Endpoint[]> {
    const zones = [...(await this.managedZones()).keys()];
    const adjusted: Endpoint[] = [];
    for (const endpoint of endpoints) {
      try {
        adjusted.push(normalizeEndpoint(endpoint, { zones, defaultTtl: this.options.defaultTtl }).endpoint);
      } catch (error) {
        if (!(error instanceof EndpointRejectedError)) throw error;
        this.metrics.dropped.inc({ instance: this.instance, reason: error.reason });
        this.context.logger.warn(`dropping ${describeEndpoint(endpoint)}: ${error.message}`);
      }
    }
    return adjusted;
  }

  async applyChanges(changes: Changes): Promise<void> {
    const managed = await this.managedZones();
    const zones = [...managed.keys()];
    const problems: string[] = [];
    const normalize = (endpoint: Endpoint, identityOnly: boolean): NormalizedEndpoint | undefined => {
      try {
        return normalizeEndpoint(endpoint, { zones, defaultTtl: this.options.defaultTtl, identityOnly });
      } catch (error) {
        if (!(error instanceof InvalidRecordError)) throw error;
        problems.push(`${describeEndpoint(endpoint)}: ${error.message}`);
        return undefined;
      }
    };
    const create = changes.create.map((e) => normalize(e, false));
    const updateOld = changes.updateOld.map((e) => normalize(e, true));
    const updateNew = changes.updateNew.map((e) => normalize(e, false));
    const remove = changes.delete.map((e) => normalize(e, true));
    if (updateOld.length !== updateNew.length) {
      problems.push(`updateOld has ${updateOld.length} entries and updateNew ${updateNew.length}; they must pair up`);
    }
    if (problems.length > 0) this.reject(problems);

    const all = [...create, ...updateOld, ...updateNew, ...remove] as NormalizedEndpoint[];
    if (all.length === 0) return;
    const touched = new Map([...new Set(all.map((n) => n.zone))].map((zone) => [zone, managed.get(zone)!]));
    const endpoints = (list: Array<NormalizedEndpoint | undefined>) => list.map((n) => n!.endpoint);
    const batch: Changes = {
      create: endpoints(create),
      updateOld: endpoints(updateOld),
      updateNew: endpoints(updateNew),
      delete: endpoints(remove),
    };

    const started = process.hrtime.bigint();
    let written: string[];
    try {
      written = await this.store.update(touched, (loaded) => {
        const existing = new Set<string>();
        for (const zone of loaded) for (const e of endpointsOf(zone.file, zones)) existing.add(endpointKey(e));
        assertBatchApplicable(batch, existing);
        return applyToZones(
          loaded.map((l) => l.file),
          batch,
          zones,
        );
      });
    } catch (error) {
      if (error instanceof ChangeRejectedError) {
        this.metrics.rejected.inc({ instance: this.instance });
        throw error;
      }
      if (error instanceof InvalidRecordError) this.reject([error.message]);
      throw this.backendError(error);
    }
    this.metrics.writeDuration.observe({ instance: this.instance }, Number(process.hrtime.bigint() - started) / 1e9);
    for (const zone of written) this.metrics.writes.inc({ instance: this.instance, zone });
  }

  private reject(problems: string[]): never {
    this.metrics.rejected.inc({ instance: this.instance });
    throw new ChangeRejectedError(`batch rejected, nothing was changed: ${problems.join('; ')}`);
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

/**
 * Applies a checked batch to the loaded files in memory; returns the zones
 * changed. Throws InvalidRecordError when the result would not load in BIND
 * (a CNAME beside other data), before anything is written.
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
  for (const file of files) {
    for (const name of names) {
      const types = new Set(file.records.filter((r) => r.name === name).map((r) => r.type));
      if (types.has('CNAME') && [...types].some((t) => t !== 'CNAME' && t !== 'RRSIG' && t !== 'NSEC')) {
        throw new InvalidRecordError(`CNAME ${name} would sit beside other records (${[...types].sort().join(', ')})`);
      }
    }
  }
  return changed;
}
