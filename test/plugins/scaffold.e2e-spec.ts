import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PLUGIN_API_VERSION, WEBHOOK_MEDIA_TYPE } from '@dnsgate/plugin-sdk';
import { freePort } from '../support/free-port.js';
import { PLUGIN_PEERS, REPO_ROOT, run, spawnGateway, waitUntilReady, webhook } from './package-tools.js';

const SCRIPT = join(REPO_ROOT, 'scripts/create-dnsgate-plugin.mjs');
/** What `npm install` would bring for the generated package's build and tests, linked from this repository. */
const DEV_TOOLS = ['@types/node', '@types/jest', 'typescript', 'jest', 'ts-jest', 'fast-check'];

function scaffold(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SCRIPT, ...args], (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('scripts/create-dnsgate-plugin.mjs', () => {
  let work: string;
  let pkg: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'dnsgate-scaffold-'));
    pkg = join(work, 'acme');
    const created = await scaffold(pkg, 'acme-dns', '--registry');
    if (created.code !== 0) throw new Error(`the scaffold failed: ${created.stderr}`);
    // Stand-in for `npm install`: the SDK as built in this repository, its peers and the dev tools.
    const links: Array<[string, string]> = [
      ['@dnsgate/plugin-sdk', join(REPO_ROOT, 'libs/plugin-sdk')],
      ...[...PLUGIN_PEERS, ...DEV_TOOLS].map((name): [string, string] => [name, join(REPO_ROOT, 'node_modules', name)]),
    ];
    for (const [name, target] of links) {
      const link = join(pkg, 'node_modules', name);
      await mkdir(dirname(link), { recursive: true });
      await symlink(target, link, 'dir');
    }
  }, 60_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('generates a package with the standard README sections and a testkit test', async () => {
    const manifest = JSON.parse(await readFile(join(pkg, 'package.json'), 'utf8')) as {
      name: string;
      peerDependencies: Record<string, string>;
    };
    expect(manifest.name).toBe('dnsgate-plugin-acme-dns');
    expect(Object.keys(manifest.peerDependencies)).toEqual(
      expect.arrayContaining(['@dnsgate/plugin-sdk', ...PLUGIN_PEERS]),
    );
    const readme = await readFile(join(pkg, 'README.md'), 'utf8');
    const sections = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(sections.slice(0, 6)).toEqual(['Name', 'What it manages', 'Options', 'Metrics', 'Readiness', 'Limits']);
    expect(readme).toContain('DNSGATE_ACME_DNS_ZONES');
    expect(await readFile(join(pkg, 'test/acme-dns.conformance.spec.ts'), 'utf8')).toContain(
      'describePluginConformance',
    );
  });

  it('builds with tsc and exports a module whose factory is named acme-dns', async () => {
    await run('npx', ['tsc', '-p', pkg], REPO_ROOT);
    expect(existsSync(join(pkg, 'dist/index.js'))).toBe(true);
    const probe = [
      "const plugin = await import('./dist/index.js');",
      "const { getPluginMetadata } = await import('@dnsgate/plugin-sdk');",
      'const metadata = getPluginMetadata(plugin.dnsgatePlugin.providers[0]);',
      'console.log(JSON.stringify({ name: metadata.name, apiVersion: metadata.apiVersion, same: plugin.default === plugin.dnsgatePlugin }));',
    ].join('\n');
    const out = await run(process.execPath, ['--input-type=module', '-e', probe], pkg);
    expect(JSON.parse(out)).toEqual({ name: 'acme-dns', apiVersion: PLUGIN_API_VERSION, same: true });
  }, 120_000);

  it('passes the conformance suite with its own jest setup', async () => {
    const out = await run(
      process.execPath,
      ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js', '--ci', '--json', '--outputFile=jest-result.json'],
      pkg,
      180_000,
    ).catch((error: Error) => error.message);
    const result = JSON.parse(await readFile(join(pkg, 'jest-result.json'), 'utf8')) as {
      numFailedTests: number;
      numPassedTests: number;
    };
    expect({ failed: result.numFailedTests, output: result.numFailedTests > 0 ? out : '' }).toEqual({
      failed: 0,
      output: '',
    });
    // One check per supported type plus the common ones: the suite really ran.
    expect(result.numPassedTests).toBeGreaterThanOrEqual(15);
  }, 180_000);

  it('loads in the built gateway when DNSGATE_PLUGIN is its path, and serves the webhook API', async () => {
    if (!existsSync(join(pkg, 'dist/index.js'))) await run('npx', ['tsc', '-p', pkg], REPO_ROOT);
    const gateway = spawnGateway(
      work,
      { DNSGATE_PLUGIN: './acme', DNSGATE_ACME_DNS_ZONES: 'example.com' },
      { webhook: await freePort(), health: await freePort() },
    );
    try {
      await waitUntilReady(gateway);
      const negotiate = await webhook(gateway.webhookUrl, '/');
      expect(negotiate.headers.get('content-type')).toBe(WEBHOOK_MEDIA_TYPE);
      const apply = await webhook(gateway.webhookUrl, '/records', {
        create: [{ dnsName: 'www.example.com', targets: ['192.0.2.1'], recordType: 'A' }],
      });
      expect(apply.status).toBe(204);
      expect(await (await webhook(gateway.webhookUrl, '/records')).json()).toEqual([
        { dnsName: 'www.example.com', targets: ['192.0.2.1'], recordType: 'A', recordTTL: 300 },
      ]);
    } finally {
      await gateway.stop();
    }
  }, 60_000);

  it('refuses a bad plugin name and a folder that is not empty', async () => {
    const badName = await scaffold(join(work, 'other'), 'Acme_DNS');
    expect(badName.code).toBe(2);
    expect(badName.stderr).toMatch(/not a plugin name/);
    await writeFile(join(work, 'taken.txt'), 'x');
    const taken = await scaffold(work, 'acme');
    expect(taken.code).toBe(2);
    expect(taken.stderr).toMatch(/not empty/);
  });
});
