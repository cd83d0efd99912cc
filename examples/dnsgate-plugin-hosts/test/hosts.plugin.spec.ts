import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchIncompleteError,
  BatchPipeline,
  PluginConfigError,
  emptyChanges,
  getPluginMetadata,
  loadPluginOptions,
} from '@dnsgate/plugin-sdk';
import { createTestPluginContext, drivePlugin } from '@dnsgate/plugin-sdk/testkit';
import {
  BEGIN_MARKER,
  END_MARKER,
  HostsPluginFactory,
  HostsPluginOptions,
  dnsgatePlugin,
  parseHostsFile,
} from '../src/index.js';

describe('dnsgate-plugin-hosts', () => {
  let directory: string;
  let file: string;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'dnsgate-hosts-unit-'));
    file = join(directory, 'hosts');
  });
  afterEach(() => rm(directory, { recursive: true, force: true }));

  function plugin(zones = 'example.com') {
    const { options } = loadPluginOptions(HostsPluginOptions, 'DNSGATE_HOSTS_', {
      DNSGATE_HOSTS_FILE: file,
      DNSGATE_HOSTS_ZONES: zones,
    });
    const context = createTestPluginContext('hosts');
    return { plugin: drivePlugin(new HostsPluginFactory().create(options, context)), context };
  }

  it('exports a module whose provider is registered as "hosts"', () => {
    const metadata = getPluginMetadata(dnsgatePlugin.providers?.[0]);
    expect(metadata).toMatchObject({ name: 'hosts', apiVersion: 2, options: HostsPluginOptions });
  });

  it('refuses to boot without a file or zones, naming the variables', () => {
    expect(() => loadPluginOptions(HostsPluginOptions, 'DNSGATE_HOSTS_', {})).toThrow(PluginConfigError);
    const problems = (() => {
      try {
        loadPluginOptions(HostsPluginOptions, 'DNSGATE_HOSTS_', { DNSGATE_HOSTS_ZONES: 'not a zone!' });
      } catch (error) {
        return (error as PluginConfigError).problems.join('\n');
      }
      return 'no error';
    })();
    expect(problems).toMatch(/DNSGATE_HOSTS_FILE: is required/);
    expect(problems).toMatch(/DNSGATE_HOSTS_ZONES: each zone/);
  });

  it('writes a managed block after the operator lines and keeps them byte for byte', async () => {
    const own = '127.0.0.1 localhost\n\n# printer\n10.0.0.9\tprinter.lan   # static\n';
    await writeFile(file, own);
    const { plugin: hosts } = plugin();
    await hosts.applyChanges({
      ...emptyChanges(),
      create: [
        { dnsName: 'www.example.com', recordType: 'A', targets: ['192.0.2.2', '192.0.2.1'] },
        { dnsName: 'www.example.com', recordType: 'AAAA', targets: ['2001:DB8:0:0::1'] },
      ],
    });
    expect(await readFile(file, 'utf8')).toBe(
      `${own}${BEGIN_MARKER}\n192.0.2.1\twww.example.com\n192.0.2.2\twww.example.com\n2001:db8::1\twww.example.com\n${END_MARKER}\n`,
    );
    await hosts.applyChanges({
      ...emptyChanges(),
      delete: [{ dnsName: 'www.example.com', recordType: 'A', targets: ['192.0.2.1', '192.0.2.2'] }],
    });
    const text = await readFile(file, 'utf8');
    expect(text.startsWith(own)).toBe(true);
    expect(text).not.toContain('192.0.2.1');
    expect(text).toContain('2001:db8::1\twww.example.com');
  });

  it('keeps lines after the block and hand-written lines inside it', async () => {
    await writeFile(
      file,
      `# top\n${BEGIN_MARKER}\nnot an entry\n192.0.2.7 a.example.com b.example.com\n${END_MARKER}\n# bottom`,
    );
    const { plugin: hosts } = plugin();
    expect(await hosts.records({ zones: ['example.com'] })).toEqual([
      { dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.7'] },
      { dnsName: 'b.example.com', recordType: 'A', targets: ['192.0.2.7'] },
    ]);
    await hosts.applyChanges({
      ...emptyChanges(),
      delete: [{ dnsName: 'b.example.com', recordType: 'A', targets: ['192.0.2.7'] }],
    });
    expect(await readFile(file, 'utf8')).toBe(
      `# top\n${BEGIN_MARKER}\nnot an entry\n192.0.2.7\ta.example.com\n${END_MARKER}\n# bottom\n`,
    );
  });

  it('drops what a hosts file cannot hold in AdjustEndpoints, each with why', async () => {
    const { plugin: hosts } = plugin();
    const adjusted = new BatchPipeline(hosts.plugin).adjust(
      [
        { dnsName: 'WWW.example.com.', recordType: 'A', targets: ['192.0.2.1'], recordTTL: 60 },
        { dnsName: 'www.example.com', recordType: 'TXT', targets: ['"heritage=external-dns"'] },
        { dnsName: '*.example.com', recordType: 'A', targets: ['192.0.2.1'] },
        { dnsName: 'other.example.net', recordType: 'A', targets: ['192.0.2.1'] },
        { dnsName: 'bad.example.com', recordType: 'A', targets: ['2001:db8::1'] },
      ],
      ['example.com'],
    );
    expect(adjusted.endpoints).toEqual([{ dnsName: 'www.example.com', recordType: 'A', targets: ['192.0.2.1'] }]);
    expect(adjusted.dropped).toHaveLength(4);
    expect(adjusted.dropped.map((d) => d.problem).join('\n')).toMatch(/a hosts file holds only A and AAAA/);
  });

  it('writes what it can hold and names the TXT registry record it cannot (run ExternalDNS with --registry=noop)', async () => {
    const { plugin: hosts } = plugin();
    const error = await hosts
      .applyChanges({
        ...emptyChanges(),
        create: [
          { dnsName: 'www.example.com', recordType: 'A', targets: ['192.0.2.1'] },
          { dnsName: 'a-www.example.com', recordType: 'TXT', targets: ['"heritage=external-dns"'] },
        ],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatchIncompleteError);
    expect((error as BatchIncompleteError).statusCode).toBe(500);
    expect((error as Error).message).toMatch(
      /1 of 2 changes did not land \(1 applied\): create TXT a-www\.example\.com: invalid/,
    );
    expect(parseHostsFile(await readFile(file, 'utf8')).entries).toEqual([
      { address: '192.0.2.1', name: 'www.example.com' },
    ]);
  });

  it('counts its writes under dnsgate_hosts_', async () => {
    const { plugin: hosts, context } = plugin();
    await hosts.applyChanges({
      ...emptyChanges(),
      create: [{ dnsName: 'www.example.com', recordType: 'A', targets: ['192.0.2.1'] }],
    });
    const metrics = await context.registry.metrics();
    expect(metrics).toMatch(/dnsgate_hosts_file_writes_total\{instance="hosts",result="ok"\} 1/);
    expect(metrics).toMatch(/dnsgate_hosts_managed_entries\{instance="hosts"\} 1/);
  });

  it('is not ready while the directory of the file does not exist', async () => {
    file = join(directory, 'missing', 'hosts');
    const { plugin: hosts } = plugin();
    const readiness = await hosts.plugin.readiness();
    expect(readiness.ready).toBe(false);
  });

  it('refuses a file with a broken managed block rather than guess', async () => {
    await writeFile(file, `${BEGIN_MARKER}\n192.0.2.1 a.example.com\n`);
    const { plugin: hosts } = plugin();
    await expect(hosts.records({ zones: ['example.com'] })).rejects.toMatchObject({ statusCode: 502 });
  });
});
