import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WEBHOOK_MEDIA_TYPE } from '@dnsgate/plugin-sdk';
import { freePort } from '../support/free-port.js';
import {
  REPO_ROOT,
  exitCode,
  installTarballs,
  npmPack,
  run,
  spawnGateway,
  waitUntilReady,
  webhook,
  type GatewayProcess,
} from './package-tools.js';

/**
 * The way an operator runs a plugin nobody ships with dnsgate: `npm pack`
 * the example (and the SDK it was built against), install the tarballs in a
 * fresh directory, and start the built gateway there with DNSGATE_PLUGIN
 * naming the package. Nothing is mapped to sources: this is the published
 * shape of the SDK and of the plugin.
 */
describe('a third-party plugin package (examples/dnsgate-plugin-hosts)', () => {
  let site: string;
  let hostsFile: string;
  const operatorLines = '127.0.0.1\tlocalhost\n# by hand\n10.1.2.3\trouter.home.example.com\n';

  beforeAll(async () => {
    site = await mkdtemp(join(tmpdir(), 'dnsgate-site-'));
    const tarballs = join(site, 'tarballs');
    await mkdir(tarballs);
    await run('npx', ['tsc', '-p', 'examples/dnsgate-plugin-hosts'], REPO_ROOT);
    const packed = [];
    for (const dir of ['libs/protocol', 'libs/plugin-sdk', 'examples/dnsgate-plugin-hosts']) {
      packed.push(await npmPack(join(REPO_ROOT, dir), tarballs));
    }
    await writeFile(join(site, 'package.json'), JSON.stringify({ name: 'dnsgate-site', private: true }));
    await installTarballs(site, packed);
    hostsFile = join(site, 'hosts');
    await writeFile(hostsFile, operatorLines);
  }, 180_000);

  afterAll(async () => {
    if (site) await rm(site, { recursive: true, force: true });
  });

  async function boot(plugin: string, extra: Record<string, string> = {}): Promise<GatewayProcess> {
    return spawnGateway(
      site,
      {
        DNSGATE_PLUGIN: plugin,
        DNSGATE_HOSTS_FILE: hostsFile,
        DNSGATE_HOSTS_ZONES: 'home.example.com',
        ...extra,
      },
      { webhook: await freePort(), health: await freePort() },
    );
  }

  it('installs a tarball that holds the built plugin and no sources or tests', async () => {
    const manifest = JSON.parse(
      await readFile(join(site, 'node_modules/dnsgate-plugin-hosts/package.json'), 'utf8'),
    ) as { peerDependencies: Record<string, string> };
    expect(manifest.peerDependencies['@dnsgate/plugin-sdk']).toBe('^0.1.0');
    const listing = await run('find', ['.', '-type', 'f'], join(site, 'node_modules/dnsgate-plugin-hosts'));
    expect(listing).toContain('./dist/index.js');
    expect(listing).toContain('./README.md');
    expect(listing).not.toMatch(/\/test\//);
    expect(listing.split('\n').filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  });

  describe('selected by its package name', () => {
    let gateway: GatewayProcess;

    beforeAll(async () => {
      gateway = await boot('dnsgate-plugin-hosts');
      await waitUntilReady(gateway);
    }, 60_000);
    afterAll(() => gateway?.stop());

    it('negotiates with the exact media type and announces the zone', async () => {
      const response = await webhook(gateway.webhookUrl, '/');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(WEBHOOK_MEDIA_TYPE);
      expect(await response.json()).toEqual(
        expect.objectContaining({ include: expect.arrayContaining(['home.example.com']) }),
      );
    });

    it('drops in AdjustEndpoints what a hosts file cannot hold', async () => {
      const response = await webhook(gateway.webhookUrl, '/adjustendpoints', [
        { dnsName: 'App.Home.Example.com.', targets: ['192.0.2.10'], recordType: 'A', recordTTL: 300 },
        { dnsName: 'app.home.example.com', targets: ['"heritage=external-dns"'], recordType: 'TXT' },
      ]);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual([
        { dnsName: 'app.home.example.com', targets: ['192.0.2.10'], recordType: 'A' },
      ]);
    });

    it('applies changes with 204, reports them in Records, and writes them to the file beside the operator lines', async () => {
      const apply = await webhook(gateway.webhookUrl, '/records', {
        create: [
          { dnsName: 'app.home.example.com', targets: ['192.0.2.10'], recordType: 'A' },
          { dnsName: 'app.home.example.com', targets: ['2001:db8::10'], recordType: 'AAAA' },
        ],
      });
      expect(apply.status).toBe(204);
      expect(await apply.text()).toBe('');

      const records = await webhook(gateway.webhookUrl, '/records');
      expect(records.status).toBe(200);
      expect(await records.json()).toEqual(
        expect.arrayContaining([
          { dnsName: 'app.home.example.com', targets: ['192.0.2.10'], recordType: 'A' },
          { dnsName: 'app.home.example.com', targets: ['2001:db8::10'], recordType: 'AAAA' },
        ]),
      );

      const text = await readFile(hostsFile, 'utf8');
      expect(text.startsWith(operatorLines)).toBe(true);
      expect(text).toContain('192.0.2.10\tapp.home.example.com\n');
      expect(text).toContain('2001:db8::10\tapp.home.example.com\n');
    });

    it('shows the plugin metrics on /metrics', async () => {
      const metrics = await (await fetch(`${gateway.healthUrl}/metrics`)).text();
      expect(metrics).toMatch(/dnsgate_hosts_file_writes_total\{[^}]*result="ok"[^}]*\} [1-9]/);
    });
  });

  it.each([
    ['its short name', 'hosts'],
    ['a path relative to the working directory', './node_modules/dnsgate-plugin-hosts'],
  ])(
    'boots when selected by %s',
    async (_how, spec) => {
      const gateway = await boot(spec);
      try {
        await waitUntilReady(gateway);
        const response = await webhook(gateway.webhookUrl, '/');
        expect(response.headers.get('content-type')).toBe(WEBHOOK_MEDIA_TYPE);
      } finally {
        await gateway.stop();
      }
    },
    60_000,
  );

  it('refuses to boot without its required option, naming the variable', async () => {
    const gateway = await boot('dnsgate-plugin-hosts', { DNSGATE_HOSTS_FILE: '' });
    expect(await exitCode(gateway)).toBe(1);
    expect(gateway.output()).toMatch(/DNSGATE_HOSTS_FILE/);
  }, 60_000);
});
