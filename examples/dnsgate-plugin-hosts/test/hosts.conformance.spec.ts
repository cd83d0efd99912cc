import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPluginOptions } from '@dnsgate/plugin-sdk';
import { createTestPluginContext, describePluginConformance } from '@dnsgate/plugin-sdk/testkit';
import { HostsPluginFactory, HostsPluginOptions, type HostsPlugin } from '../src/index.js';

/** The operator's own lines, which the plugin must leave exactly as they are. */
const OPERATOR_LINES = '127.0.0.1\tlocalhost\n# the NAS, by hand\n192.168.1.10\tnas.home.example.com nas\n';

interface HostsFixture {
  plugin: HostsPlugin;
  zones: string[];
  file: string;
  cleanup(): Promise<void>;
}

describePluginConformance<HostsFixture>({
  name: 'hosts file',
  recordTypes: ['A', 'AAAA'],
  // A hosts file keeps no TTL, so AdjustEndpoints must leave it unset.
  defaultTtl: undefined,
  setup: async () => {
    const directory = await mkdtemp(join(tmpdir(), 'dnsgate-hosts-'));
    const file = join(directory, 'hosts');
    const zones = ['example.com', 'example.org'];
    const { options } = loadPluginOptions(HostsPluginOptions, 'DNSGATE_HOSTS_', {
      DNSGATE_HOSTS_FILE: file,
      DNSGATE_HOSTS_ZONES: zones.join(','),
    });
    const plugin = new HostsPluginFactory().create(options, createTestPluginContext('hosts'));
    return { plugin, zones, file, cleanup: () => rm(directory, { recursive: true, force: true }) };
  },
  // A directory where the file should be: every read and write fails, even for root.
  breakBackend: async ({ file }) => {
    const saved = await readFile(file, 'utf8').catch(() => undefined);
    await rm(file, { force: true });
    await mkdir(file);
    return async () => {
      await rm(file, { recursive: true, force: true });
      if (saved !== undefined) await writeFile(file, saved);
    };
  },
  outsideRecords: {
    seed: async ({ file }) => writeFile(file, OPERATOR_LINES),
    verify: async ({ file }) => {
      const text = await readFile(file, 'utf8');
      if (!text.startsWith(OPERATOR_LINES)) throw new Error(`the operator's lines were changed:\n${text}`);
    },
  },
});
