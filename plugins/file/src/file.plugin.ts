import { access, constants, mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  BackendError,
  BackendTimeoutError,
  ChangeRejectedError,
  describeEndpoint,
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
import { canonicalHostname } from './zone-file/dns-names.js';
import { InvalidRecordError, ZoneFileSyntaxError } from './zone-file/zone-file.errors.js';
import { applyToZones } from './zone-model/zone-changes.js';
import { endpointsOf } from './zone-model/zone-endpoints.js';
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
      for (const endpoint of endpointsOf(loaded.file, all)) endpoints.push(endpoint);
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
      written = await this.store.update(touched, (loaded) =>
        applyToZones(
          loaded.map((l) => l.file),
          batch,
          zones,
        ),
      );
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
