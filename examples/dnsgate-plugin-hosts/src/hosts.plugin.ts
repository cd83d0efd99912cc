import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isIPv4, isIPv6 } from 'node:net';
import {
  BackendError,
  BackendUnavailableError,
  Mutex,
  endpointKey,
  findZone,
  isWithinDomain,
  normalizeDnsName,
  zoneStateOf,
  type ChangeGroup,
  type DnsPlugin,
  type Endpoint,
  type PluginContext,
  type Readiness,
  type RecordCheck,
  type RecordsRequest,
  type ZoneState,
} from '@dnsgate/plugin-sdk';
import type { Counter, Gauge, Histogram } from 'prom-client';
import {
  HostsFileFormatError,
  canonicalAddress,
  familyOf,
  formatHostsFile,
  parseHostsFile,
  type HostsEntry,
  type HostsFile,
} from './hosts-file.js';
import type { HostsPluginOptions } from './hosts.options.js';

const SUPPORTED_TYPES = new Set(['A', 'AAAA']);
/** A host name a hosts file can hold: no wildcard, no empty label. */
const HOST_NAME = /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)*$/;

/**
 * A and AAAA records as lines of an `/etc/hosts`-format file. Every change
 * rereads the file, so the operator may edit the lines outside the managed
 * block at any time, and writes a new file that replaces the old one in one
 * rename, so dnsmasq or CoreDNS never read half a file.
 */
export class HostsPlugin implements DnsPlugin {
  private readonly zoneList: string[];
  /** One file for every zone: groups are written one after the other, each reading what the last wrote. */
  private readonly fileLock = new Mutex();
  private readonly writes: Counter<'instance' | 'result'>;
  private readonly entriesGauge: Gauge<'instance'>;
  private readonly writeSeconds: Histogram<'instance'>;

  constructor(
    private readonly options: HostsPluginOptions,
    private readonly context: PluginContext,
  ) {
    this.zoneList = [...new Set(options.zones.map(normalizeDnsName))];
    this.writes = context.metrics.counter({
      name: 'file_writes_total',
      help: 'Rewrites of the hosts file, by result (ok, error)',
      labelNames: ['instance', 'result'],
    });
    this.entriesGauge = context.metrics.gauge({
      name: 'managed_entries',
      help: 'Address lines in the managed block of the hosts file, as last read or written',
      labelNames: ['instance'],
    });
    this.writeSeconds = context.metrics.histogram({
      name: 'file_write_duration_seconds',
      help: 'Time to write and rename the hosts file',
      labelNames: ['instance'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
    });
  }

  async start(): Promise<void> {
    await this.read();
    this.context.logger.log(`managing ${this.options.file} for ${this.zoneList.join(', ')}`);
  }

  async readiness(): Promise<Readiness> {
    try {
      await access(dirname(this.options.file), constants.W_OK);
      await this.read();
      return { ready: true };
    } catch (error) {
      return { ready: false, reason: (error as Error).message };
    }
  }

  async zones(): Promise<string[]> {
    return [...this.zoneList];
  }

  async records(request: RecordsRequest): Promise<Endpoint[]> {
    const file = await this.read();
    const inScope = (name: string) =>
      findZone(name, this.zoneList) !== undefined && request.zones.some((zone) => isWithinDomain(name, zone));
    return toEndpoints(file.entries.filter((entry) => inScope(entry.name)));
  }

  checkRecord(endpoint: Endpoint): RecordCheck {
    const result = this.adjustOne(endpoint);
    return typeof result === 'string'
      ? { ok: false, reason: 'unsupported', problem: result }
      : { ok: true, endpoint: result };
  }

  async readZoneState(): Promise<ZoneState> {
    return zoneStateOf(toEndpoints((await this.read()).entries));
  }

  /** Rewrites the file with the group applied; the lines outside the managed block stay as the operator left them. */
  async writeGroup(group: ChangeGroup): Promise<void> {
    await this.fileLock.run(async () => {
      const file = await this.read();
      const current = new Map<string, Endpoint>(toEndpoints(file.entries).map((e) => [endpointKey(e), e]));
      for (const change of group.changes) {
        if (change.current) current.delete(endpointKey(change.current));
        if (change.desired) current.set(endpointKey(change.desired), change.desired);
      }
      const entries: HostsEntry[] = [...current.values()].flatMap((e) =>
        e.targets.map((address) => ({ address, name: e.dnsName })),
      );
      await this.write(formatHostsFile(file, entries));
      this.entriesGauge.set({ instance: this.context.instanceName }, entries.length);
    });
  }

  /** The endpoint as Records would report it, or why the file cannot hold it. */
  private adjustOne(endpoint: Endpoint): Endpoint | string {
    const recordType = endpoint.recordType.toUpperCase();
    if (!SUPPORTED_TYPES.has(recordType)) return `a hosts file holds only A and AAAA records, not ${recordType}`;
    if (endpoint.setIdentifier) return 'a hosts file has no routing policies (setIdentifier)';
    const dnsName = normalizeDnsName(endpoint.dnsName);
    if (!HOST_NAME.test(dnsName))
      return `${JSON.stringify(dnsName)} cannot be a hosts-file name (wildcards are not supported)`;
    if (findZone(dnsName, this.zoneList) === undefined)
      return `${dnsName} is in none of the zones ${this.zoneList.join(', ')}`;
    const valid = recordType === 'A' ? isIPv4 : isIPv6;
    const bad = endpoint.targets.filter((target) => !valid(target.trim()));
    if (bad.length > 0) return `not ${recordType === 'A' ? 'IPv4' : 'IPv6'} addresses: ${bad.join(', ')}`;
    const targets = [...new Set(endpoint.targets.map((target) => canonicalAddress(target.trim())))].sort();
    if (targets.length === 0) return 'no targets';
    // No TTL and no provider-specific properties: the file keeps neither, and
    // announcing one would make ExternalDNS see a change on every reconcile.
    const adjusted: Endpoint = { dnsName, targets, recordType };
    if (endpoint.labels) adjusted.labels = { ...endpoint.labels };
    return adjusted;
  }

  private async read(): Promise<HostsFile> {
    let text: string;
    try {
      text = await readFile(this.options.file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return parseHostsFile('');
      throw this.fileError('cannot read', error);
    }
    try {
      const file = parseHostsFile(text);
      this.entriesGauge.set({ instance: this.context.instanceName }, file.entries.length);
      return file;
    } catch (error) {
      if (error instanceof HostsFileFormatError) {
        throw new BackendError(`${this.options.file}: ${error.message}; fix the markers by hand`, { cause: error });
      }
      throw error;
    }
  }

  /** Write beside the file, flush, rename over it: readers see the old file or the new one, never a mix. */
  private async write(text: string): Promise<void> {
    const target = this.options.file;
    const temporary = join(
      dirname(target),
      `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
    );
    const stopTimer = this.writeSeconds.startTimer({ instance: this.context.instanceName });
    try {
      const mode = await stat(target).then(
        (s) => s.mode & 0o777,
        () => 0o644,
      );
      const handle = await open(temporary, 'wx', mode);
      try {
        await handle.writeFile(text, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, target);
      this.writes.inc({ instance: this.context.instanceName, result: 'ok' });
    } catch (error) {
      this.writes.inc({ instance: this.context.instanceName, result: 'error' });
      await rm(temporary, { force: true }).catch(() => undefined);
      throw this.fileError('cannot write', error);
    } finally {
      stopTimer();
    }
  }

  private fileError(what: string, error: unknown): Error {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    const message = `${what} ${this.options.file} (${code})`;
    // A missing directory or a permission problem is the operator's to fix; the rest is the disk's.
    return ['ENOENT', 'EACCES', 'EPERM', 'EROFS'].includes(code)
      ? new BackendUnavailableError(message, { cause: error })
      : new BackendError(message, { cause: error });
  }
}

/** One endpoint per (name, type), targets sorted, in the order of the names. */
function toEndpoints(entries: readonly HostsEntry[]): Endpoint[] {
  const byKey = new Map<string, Endpoint>();
  for (const entry of entries) {
    const recordType = familyOf(entry.address);
    const key = `${entry.name}|${recordType}`;
    const endpoint = byKey.get(key) ?? { dnsName: entry.name, targets: [], recordType };
    if (!endpoint.targets.includes(entry.address)) endpoint.targets.push(entry.address);
    byKey.set(key, endpoint);
  }
  return [...byKey.values()].map((e) => ({ ...e, targets: e.targets.sort() }));
}
