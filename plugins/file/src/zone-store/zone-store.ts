import { mkdir, open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Endpoint } from '@dnsgate/plugin-sdk';
import { canonicalHostname } from '../zone-file/dns-names.js';
import { parseZoneFile } from '../zone-file/zone-file.parser.js';
import { sortRecordsForWriting, writeZoneFile, zoneFileBytes } from '../zone-file/zone-file.writer.js';
import { formatSoa, parseSoa, type ZoneFile, type ZoneRecord } from '../zone-file/zone-record.js';
import { atomicWriteFile, type AtomicWriteOptions } from './atomic-write.js';
import { FileLock } from './file-lock.js';
import { RememberedParse, reusableParse } from './remembered-parse.js';
import { dateSerial, nextSerial } from './soa-serial.js';
import { fileIdentity, wallClockNs, zoneFileVersion } from '../zone-versions/file-version.js';

export interface ZoneStoreOptions {
  dir: string;
  defaultTtl: number;
  nameservers: readonly string[];
  lockTimeoutMs: number;
  /** Test seam, passed to every atomic write. */
  beforeRename?: AtomicWriteOptions['beforeRename'];
}

export interface DiscoveredZones {
  /** zone → file path. */
  files: Map<string, string>;
  /** Files that looked like zone files but were skipped, with the reason. */
  skipped: string[];
}

export interface LoadedZone {
  zone: string;
  path: string;
  /** Possibly shared with other readers (see `reusableParse`): never change it in place. */
  file: ZoneFile;
}

export interface VersionedEndpoints {
  /** The file's version (`zoneFileVersion`), taken before its bytes were read. */
  version: string;
  /** Shared (see `RememberedParse.endpoints`): never to be changed. */
  endpoints: readonly Endpoint[];
}

/**
 * File names: `<zone>.zone` (preferred, used for zones the plugin creates)
 * or `db.<zone>`. Dotfiles are never zones: the plugin's temp and lock files
 * are dotfiles.
 */
export function zoneOfFileName(fileName: string): string | undefined {
  if (fileName.startsWith('.')) return undefined;
  const match = /^(.+)\.zone$/i.exec(fileName) ?? /^db\.(.+)$/i.exec(fileName);
  return match ? match[1]!.toLowerCase() : undefined;
}

export function lockPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.lock`);
}

/**
 * Drops the parse remembered for `path` when the file no longer holds its
 * bytes, before the new bytes are read and parsed (only its endpoints are
 * kept, for the new listing to take over the unchanged ones): otherwise the
 * old records (about 16 MiB per 100k) stay reachable until the new parse
 * replaces them, and a full collection during the parse finds both live.
 */
export function forgetStaleParse(remembered: Map<string, RememberedParse>, path: string): void {
  remembered.delete(path);
}

/** One zone file per zone under a directory: discovery, reads, and serialised atomic rewrites. */
export class ZoneStore {
  private queue: Promise<unknown> = Promise.resolve();
  /** Per file path, the bytes last read or written and their records. */
  private readonly remembered = new Map<string, RememberedParse>();
  /** Per file path, the identity (`fileIdentity`) of this process's last write of it. */
  private readonly writtenHere = new Map<string, string>();

  constructor(private readonly options: ZoneStoreOptions) {}

  get dir(): string {
    return this.options.dir;
  }

  async discover(): Promise<DiscoveredZones> {
    const files = new Map<string, string>();
    const skipped: string[] = [];
    const names = (await readdir(this.options.dir, { withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => entry.name)
      // `.zone` names first, so they win over a `db.` file for the same zone.
      .sort((a, b) => Number(/\.zone$/i.test(b)) - Number(/\.zone$/i.test(a)) || (a < b ? -1 : a > b ? 1 : 0));
    for (const name of names) {
      const raw = zoneOfFileName(name);
      if (raw === undefined) continue;
      let zone: string;
      try {
        zone = canonicalHostname(raw);
      } catch {
        skipped.push(`${name}: ${JSON.stringify(raw)} is not a zone name`);
        continue;
      }
      if (files.has(zone)) {
        skipped.push(`${name}: zone ${zone} is already read from ${basename(files.get(zone)!)}`);
        continue;
      }
      files.set(zone, join(this.options.dir, name));
    }
    const paths = new Set(files.values());
    for (const path of this.remembered.keys()) if (!paths.has(path)) this.remembered.delete(path);
    for (const path of this.writtenHere.keys()) if (!paths.has(path)) this.writtenHere.delete(path);
    return { files, skipped };
  }

  async load(zone: string, path: string): Promise<LoadedZone> {
    return { zone, path, file: (await this.read(zone, path)).file };
  }

  /** The zone's endpoints (`endpointsOf`), listed once per content of the file; shared, never to be changed. */
  async loadEndpoints(zone: string, path: string, managedZones: readonly string[]): Promise<readonly Endpoint[]> {
    return (await this.read(zone, path)).endpoints(managedZones);
  }

  /** The zone's records in the writer's order (see `zoneStateOfSorted`), sorted once per content of the file. */
  async loadInWritingOrder(zone: string, path: string): Promise<readonly ZoneRecord[]> {
    return (await this.read(zone, path)).inWritingOrder();
  }

  /**
   * The zone and the version of its file, taken from the open file before
   * its bytes are read: if the file changes during the read, the version is
   * the older one, and the next revalidation reads the zone again.
   */
  async loadVersioned(
    zone: string,
    path: string,
    managedZones: readonly string[],
    deeperZones: readonly string[],
  ): Promise<VersionedEndpoints> {
    const handle = await open(path, 'r');
    try {
      const stats = await handle.stat({ bigint: true });
      const version = zoneFileVersion(stats, deeperZones, wallClockNs(), this.writtenHere.get(path));
      return { version, endpoints: (await this.parsedFrom(zone, path, handle)).endpoints(managedZones) };
    } finally {
      await handle.close();
    }
  }

  /** The file's version without reading it (one stat), or undefined when it is gone. */
  async version(path: string, deeperZones: readonly string[]): Promise<string | undefined> {
    try {
      const stats = await stat(path, { bigint: true });
      return zoneFileVersion(stats, deeperZones, wallClockNs(), this.writtenHere.get(path));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  private async read(zone: string, path: string): Promise<RememberedParse> {
    const handle = await open(path, 'r');
    try {
      return await this.parsedFrom(zone, path, handle);
    } finally {
      await handle.close();
    }
  }

  /** The parse of the open file: the remembered one when its bytes are the same, else a new one, remembered. */
  private async parsedFrom(zone: string, path: string, handle: FileHandle): Promise<RememberedParse> {
    const stale = this.remembered.get(path);
    const reused = await reusableParse(stale, handle);
    if (reused !== undefined) return reused;
    const earlier = stale?.listedEndpoints;
    forgetStaleParse(this.remembered, path);
    const bytes = await handle.readFile();
    const file = parseZoneFile(bytes.toString('utf8'), {
      origin: zone,
      fileName: path,
      defaultTtl: this.options.defaultTtl,
    });
    const remembered = new RememberedParse(bytes, file, false, earlier);
    this.remembered.set(path, remembered);
    return remembered;
  }

  /** The file of a new zone: SOA and apex NS only. */
  newZone(zone: string, now = new Date()): ZoneFile {
    const file: ZoneFile = { origin: zone, records: [] };
    this.ensureApex(file, dateSerial(now));
    return file;
  }

  /** Creates `<zone>.zone` unless a file for the zone exists; true when created. */
  async createZoneIfMissing(zone: string): Promise<boolean> {
    await mkdir(this.options.dir, { recursive: true });
    const path = join(this.options.dir, `${zone}.zone`);
    return this.serialised([path], async () => {
      const existing = (await this.discover()).files.get(zone);
      if (existing) return false;
      const written = await atomicWriteFile(
        path,
        writeZoneFile(this.newZone(zone), this.options.defaultTtl),
        this.writeOptions(),
      );
      this.writtenHere.set(path, fileIdentity(written));
      return true;
    });
  }

  /**
   * Runs `change` on the current content of `zones` while holding their
   * locks (in one order, so two writers cannot deadlock), then writes every
   * zone whose records it changed, each with a new SOA serial. A throw from
   * `change` writes nothing. `change` gets each zone's records in the
   * writer's order (`sortRecordsForWriting`) and must leave them in it
   * (`applyGroupToFile` with `inWritingOrder` does): the zone is then written
   * without sorting it again. A file this process last wrote or read is not
   * parsed again when it still holds the same bytes (`reusableParse`).
   */
  async update(
    zones: ReadonlyMap<string, string>,
    change: (loaded: LoadedZone[]) => Set<string> | Promise<Set<string>>,
  ): Promise<string[]> {
    const entries = [...zones.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return this.serialised(
      entries.map(([, path]) => path),
      async () => {
        // Copies of the record lists: the parses read are remembered ones, shared with readers.
        const loaded = await Promise.all(
          entries.map(async ([zone, path]): Promise<LoadedZone> => {
            const remembered = await this.read(zone, path);
            return {
              zone,
              path,
              file: { origin: remembered.file.origin, records: remembered.inWritingOrder().slice() },
            };
          }),
        );
        const changed = await change(loaded);
        const written: string[] = [];
        for (const zone of loaded) {
          if (!changed.has(zone.zone)) continue;
          this.bumpSerial(zone.file);
          const bytes = zoneFileBytes(zone.file, this.options.defaultTtl, {
            inWritingOrder: true,
            sizeHint: this.remembered.get(zone.path)?.bytes.length,
          });
          this.writtenHere.set(zone.path, fileIdentity(await atomicWriteFile(zone.path, bytes, this.writeOptions())));
          const earlier = this.remembered.get(zone.path)?.listedEndpoints;
          this.remembered.set(zone.path, new RememberedParse(bytes, zone.file, true, earlier));
          written.push(zone.zone);
        }
        return written;
      },
    );
  }

  private writeOptions(): AtomicWriteOptions {
    return this.options.beforeRename ? { beforeRename: this.options.beforeRename } : {};
  }

  /** Bumps the serial, keeping the records in the writer's order. */
  private bumpSerial(file: ZoneFile): void {
    const count = file.records.length;
    const soa = this.ensureApex(file, 0);
    // A file without its SOA or apex NS got them at the end; they sort first.
    if (file.records.length !== count) file.records = sortRecordsForWriting(file.records, file.origin);
    const data = parseSoa(soa.data);
    data.serial = nextSerial(data.serial);
    // A new record, not a change to the old one: that one may belong to a remembered parse.
    file.records[file.records.indexOf(soa)] = { ...soa, data: formatSoa(data) };
  }

  /** Adds an SOA and apex NS to a file that lacks them; returns the SOA. */
  private ensureApex(file: ZoneFile, serial: number): ZoneRecord {
    const origin = file.origin;
    let soa = file.records.find((r) => r.type === 'SOA' && r.name === origin && !r.verbatim);
    if (!soa) {
      const data = formatSoa({
        mname: this.options.nameservers[0]!.toLowerCase().replace(/\.$/, ''),
        rname: `hostmaster.${origin}`,
        serial,
        refresh: 3600,
        retry: 600,
        expire: 1209600,
        minimum: this.options.defaultTtl,
      });
      soa = { name: origin, ttl: 3600, type: 'SOA', data, verbatim: false, origin };
      file.records.push(soa);
    }
    if (!file.records.some((r) => r.type === 'NS' && r.name === origin)) {
      for (const ns of this.options.nameservers) {
        file.records.push({
          name: origin,
          ttl: 3600,
          type: 'NS',
          data: ns.toLowerCase().replace(/\.$/, ''),
          verbatim: false,
          origin,
        });
      }
    }
    return soa;
  }

  /** In-process FIFO first (no polling between our own callers), then the cross-process file locks. */
  private serialised<T>(paths: string[], work: () => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      const releases: Array<() => Promise<void>> = [];
      try {
        for (const path of paths) {
          releases.push(await new FileLock(lockPathFor(path), { timeoutMs: this.options.lockTimeoutMs }).acquire());
        }
        return await work();
      } finally {
        for (const release of releases.reverse()) await release();
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }
}
