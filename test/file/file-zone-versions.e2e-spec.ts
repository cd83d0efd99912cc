import { open, mkdtemp, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Deadline,
  DeadlineExceededError,
  emptyChanges,
  loadPluginOptions,
  type DnsPlugin,
  type Endpoint,
} from '@dnsgate/plugin-sdk';
import { createTestPluginContext, drivePlugin, type PluginDriver } from '@dnsgate/plugin-sdk/testkit';
import { FilePluginFactory, FilePluginOptions } from '@dnsgate/plugin-file';
import { assertNamedCheckzone } from '../support/named-checkzone.js';
import { runCommand } from '../support/run-command.js';

const ZONE = 'example.com';
const SUB = 'sub.example.com';

const zoneText = (address: string): string =>
  [
    `$ORIGIN ${ZONE}.`,
    '$TTL 300',
    '@ 3600 IN SOA ns1 hostmaster 1 3600 600 1209600 300',
    '@ IN NS ns1',
    'ns1 IN A 192.0.2.53',
    `www IN A ${address}`,
    'host.sub IN A 192.0.2.9',
    '',
  ].join('\n');

const call = () => ({ deadline: Deadline.in(10_000) });
const byKey = (endpoints: readonly Endpoint[]) =>
  [...endpoints].sort((a, b) => `${a.dnsName}|${a.recordType}`.localeCompare(`${b.dnsName}|${b.recordType}`));

describe('file plugin zone versions (the records cache revalidates with them)', () => {
  let dir: string;
  let path: string;
  let plugin: DnsPlugin;
  let driver: PluginDriver;

  /** Moves the file's mtime out of the window in which a same-size edit could keep it (see zoneFileVersion). */
  async function settle(file = path): Promise<void> {
    const past = new Date(Date.now() - 60_000);
    await utimes(file, past, past);
  }

  async function versionOf(zone = ZONE): Promise<string | undefined> {
    return (await plugin.zoneVersions!.currentVersions([zone], call())).get(zone);
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dnsgate-file-versions-'));
    path = join(dir, `${ZONE}.zone`);
    await writeFile(path, zoneText('192.0.2.1'));
    await settle();
    const { options } = loadPluginOptions(FilePluginOptions, 'DNSGATE_FILE_', { DNSGATE_FILE_DIR: dir });
    plugin = new FilePluginFactory().create(options, createTestPluginContext('file'));
    await plugin.start?.();
    driver = drivePlugin(plugin);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('is exact, and an unchanged file keeps its version', async () => {
    expect(plugin.zoneVersions!.exactness).toBe('exact');
    const first = await versionOf();
    expect(first).toEqual(expect.any(String));
    await driver.records({ zones: [ZONE] });
    expect(await versionOf()).toBe(first);
  });

  it('answers only for managed zones with a file', async () => {
    const versions = await plugin.zoneVersions!.currentVersions([ZONE, 'example.net'], call());
    expect([...versions.keys()]).toEqual([ZONE]);
  });

  it('reads a zone whole with the version it was read at, the same endpoints records() reports', async () => {
    const read = await plugin.zoneVersions!.readVersionedZone(ZONE, call());
    expect(read.version).toBe(await versionOf());
    expect(byKey(read.endpoints)).toEqual(byKey(await driver.records({ zones: [ZONE] })));
    expect(read.endpoints.map((e) => e.dnsName)).toContain(`www.${ZONE}`);
  });

  it('moves on a write through the plugin, and the read at the new version shows the write', async () => {
    const before = await versionOf();
    await driver.applyChanges({
      ...emptyChanges(),
      create: [{ dnsName: `new.${ZONE}`, recordType: 'A', targets: ['192.0.2.7'], recordTTL: 300 }],
    });
    await settle();
    const after = await versionOf();
    expect(after).not.toBe(before);
    const read = await plugin.zoneVersions!.readVersionedZone(ZONE, call());
    expect(read.version).toBe(after);
    expect(read.endpoints.find((e) => e.dnsName === `new.${ZONE}`)?.targets).toEqual(['192.0.2.7']);
  });

  it('keeps one version from the plugin’s own write on, at once (its own file is not racy)', async () => {
    await driver.applyChanges({
      ...emptyChanges(),
      create: [{ dnsName: `now.${ZONE}`, recordType: 'A', targets: ['192.0.2.8'], recordTTL: 300 }],
    });
    const first = await versionOf();
    expect(await versionOf()).toBe(first);
    expect((await plugin.zoneVersions!.readVersionedZone(ZONE, call())).version).toBe(first);
  });

  it('moves when another file is renamed over it, as editors and named-compilezone -o do', async () => {
    const before = await versionOf();
    const compiled = join(dir, 'compiled.tmp');
    const result = await runCommand('named-compilezone', ['-q', '-o', compiled, ZONE, path]);
    expect(result.code).toBe(0);
    await settle(compiled);
    await rename(compiled, path);
    expect(await versionOf()).not.toBe(before);
  });

  it('moves on an edit in place that keeps the size', async () => {
    const before = await versionOf();
    const { ino, size } = await stat(path);
    const handle = await open(path, 'r+');
    try {
      const text = await readFile(path, 'utf8');
      const at = text.indexOf('192.0.2.1\n');
      await handle.write('192.0.2.2', at, 'utf8');
    } finally {
      await handle.close();
    }
    expect(await stat(path)).toMatchObject({ ino, size });
    const after = await versionOf();
    expect(after).not.toBe(before);
    const read = await plugin.zoneVersions!.readVersionedZone(ZONE, call());
    expect(read.endpoints.find((e) => e.dnsName === `www.${ZONE}`)?.targets).toEqual(['192.0.2.2']);
  });

  it('never repeats the version of a file whose mtime is too recent to show a further change', async () => {
    // An mtime ahead of the clock is as racy as one a few milliseconds old, and stays so however slow the test runs.
    const ahead = new Date(Date.now() + 3_600_000);
    await utimes(path, ahead, ahead);
    const first = await versionOf();
    expect(await versionOf()).not.toBe(first);
    await settle();
    expect(await versionOf()).toBe(await versionOf());
  });

  it('moves when a deeper zone file appears and takes names away from the zone', async () => {
    const before = await versionOf();
    const names = async () => (await driver.records({ zones: [ZONE] })).map((e) => e.dnsName);
    expect(await names()).toContain(`host.${SUB}`);
    await writeFile(
      join(dir, `${SUB}.zone`),
      `$ORIGIN ${SUB}.\n@ 3600 IN SOA ns1.${ZONE}. hostmaster.${ZONE}. 1 3600 600 1209600 300\n@ IN NS ns1.${ZONE}.\n`,
    );
    expect(await versionOf()).not.toBe(before);
    expect(await names()).not.toContain(`host.${SUB}`);
  });

  it('throws DeadlineExceededError once the call is late, as records() would time out', async () => {
    const late = { deadline: Deadline.in(0) };
    await expect(plugin.zoneVersions!.currentVersions([ZONE], late)).rejects.toThrow(DeadlineExceededError);
    await expect(plugin.zoneVersions!.readVersionedZone(ZONE, late)).rejects.toThrow(DeadlineExceededError);
  });

  it('keeps a same-size edit in place that put the mtime back: the next write reparses changed bytes', async () => {
    // A write, so the plugin remembers the bytes it wrote and their parse.
    await driver.applyChanges({
      ...emptyChanges(),
      create: [{ dnsName: `a.${ZONE}`, recordType: 'A', targets: ['192.0.2.10'], recordTTL: 300 }],
    });
    const before = await stat(path, { bigint: true });
    const text = await readFile(path, 'utf8');
    const edited = text.replace('192.0.2.1\n', '192.0.2.4\n');
    expect(edited).not.toBe(text);
    await writeFile(path, edited);
    // The mtime put back to the nanosecond: the file's identity is what it was after the plugin's write.
    const seconds = before.mtimeNs / 1_000_000_000n;
    const nanoseconds = String(before.mtimeNs % 1_000_000_000n).padStart(9, '0');
    expect((await runCommand('touch', ['-m', '-d', `@${seconds}.${nanoseconds}`, path])).code).toBe(0);
    expect(await stat(path, { bigint: true })).toMatchObject({
      ino: before.ino,
      size: before.size,
      mtimeNs: before.mtimeNs,
    });

    await driver.applyChanges({
      ...emptyChanges(),
      create: [{ dnsName: `b.${ZONE}`, recordType: 'A', targets: ['192.0.2.11'], recordTTL: 300 }],
    });
    const endpoints = await driver.records({ zones: [ZONE] });
    expect(endpoints.find((e) => e.dnsName === `www.${ZONE}`)?.targets).toEqual(['192.0.2.4']);
    expect(endpoints.map((e) => e.dnsName)).toEqual(expect.arrayContaining([`a.${ZONE}`, `b.${ZONE}`]));
    await assertNamedCheckzone(ZONE, path);
  });
});
