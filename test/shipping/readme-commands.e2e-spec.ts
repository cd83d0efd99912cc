import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILTIN_PLUGINS } from '../../apps/gateway/src/builtin-plugins.js';
import { gatewaySection, pluginSection, pluginsOfModules } from '../../apps/gateway/src/cli/option-catalog.js';
import { REPO_ROOT } from '../plugins/package-tools.js';
import { shellBlocks as blocksOf } from '../support/markdown-commands.js';

const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');

const shellBlocks = (heading: string): string[] => blocksOf(REPO_ROOT, 'README.md', heading);

/**
 * `npm ci` reinstalls node_modules, which the running tests use: it is the
 * one documented line the tests leave to the setup (which ran it).
 */
function withoutInstall(block: string): string {
  return block
    .split('\n')
    .filter((line) => line.trim() !== 'npm ci' && !line.startsWith('npm ci &&'))
    .join('\n');
}

/**
 * Runs documented commands exactly as written, on the documented ports, in a
 * network namespace of their own (only its loopback, so 8888 and 8080 are
 * free whatever else runs on this machine), in a checkout that links to this
 * one but keeps its own ./data.
 */
function runIsolated(checkout: string, script: string): Promise<{ code: number; output: string }> {
  const wrapped = ['set -euo pipefail', 'ip link set lo up', `cd ${JSON.stringify(checkout)}`, script].join('\n');
  return new Promise((resolve) => {
    execFile(
      'unshare',
      ['--net', 'bash', '-c', wrapped],
      {
        timeout: 240_000,
        maxBuffer: 64 * 1024 * 1024,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root' },
      },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: stdout + stderr });
      },
    );
  });
}

/** Starts a documented server command in the background, waits for it, runs the rest, then stops it. */
function serveThen(serverLine: string, then: string): string {
  return [
    'set -m',
    `${serverLine} > server.log 2>&1 &`,
    'server=$!',
    "trap 'kill -TERM -- -$server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT",
    'for attempt in $(seq 1 240); do curl -sf -o /dev/null http://127.0.0.1:8080/readyz && break; sleep 0.5; done',
    'curl -sf -o /dev/null http://127.0.0.1:8080/readyz || { cat server.log; exit 1; }',
    then,
  ].join('\n');
}

describe('README.md: the documented commands', () => {
  let checkout: string;

  beforeEach(async () => {
    checkout = await mkdtemp(join(tmpdir(), 'dnsgate-readme-'));
    for (const entry of readdirSync(REPO_ROOT)) {
      if (entry === 'data' || entry === '.git') continue;
      await symlink(join(REPO_ROOT, entry), join(checkout, entry));
    }
  });
  afterEach(async () => {
    if (checkout) await rm(checkout, { recursive: true, force: true });
  });

  it('quick start: starts with a zone, announces it, and writes the record ExternalDNS would create', async () => {
    const [start, tryIt] = shellBlocks('## Quick start');
    const serverLine = withoutInstall(start!).trim();
    expect(serverLine).toBe('DNSGATE_FILE_ZONES=example.org npm start');
    const result = await runIsolated(checkout, serveThen(serverLine, tryIt!));
    expect({ code: result.code, output: result.code === 0 ? '' : result.output }).toEqual({ code: 0, output: '' });
    expect(result.output).toContain('{"include":["example.org"]}');
    expect(result.output).toMatch(/^www\s+\d+\s+IN\s+A\s+192\.0\.2\.10$/m);
  }, 300_000);

  it('the production start runs the compiled gateway with node, without a build', async () => {
    const [, , production] = shellBlocks('## Quick start');
    const serverLine = withoutInstall(production!).trim();
    expect(serverLine).toBe('DNSGATE_FILE_ZONES=example.org node apps/gateway/dist/main.js');
    const result = await runIsolated(
      checkout,
      serveThen(
        serverLine,
        "curl -s -H 'Accept: application/external.dns.webhook+json;version=1' http://127.0.0.1:8888/",
      ),
    );
    expect({ code: result.code, output: result.code === 0 ? '' : result.output }).toEqual({ code: 0, output: '' });
    expect(result.output).toContain('{"include":["example.org"]}');
  }, 300_000);

  it('the command line: --help, check and --version as documented', async () => {
    const [block] = shellBlocks('## The command line');
    // check needs a zone: in a fresh checkout it fails and says why, with exit 2.
    const fresh = await runIsolated(checkout, block!);
    expect(fresh.code).toBe(2);
    expect(fresh.output).toContain('no zone to manage');
    const withZone = await runIsolated(checkout, `export DNSGATE_FILE_ZONES=example.org\n${block!}`);
    expect({ code: withZone.code, output: withZone.code === 0 ? '' : withZone.output }).toEqual({
      code: 0,
      output: '',
    });
    expect(withZone.output).toContain('DNSGATE_POWERDNS_API_KEY (or DNSGATE_POWERDNS_API_KEY_FILE)');
    expect(withZone.output).toContain('dnsgate check: OK');
    expect(withZone.output).toMatch(/^dnsgate \d+\.\d+\.\d+ \(node v\d+/m);
  }, 300_000);

  it('declares in engines, and says in the README, a Node version every production dependency supports', () => {
    const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean; devOptional?: boolean; engines?: { node?: string } }>;
    };
    const minimumMajor = (range: string): number => Number(/>=\s*v?(\d+)/.exec(range)?.[1] ?? 0);
    const required = Object.entries(lock.packages)
      .filter(([path, entry]) => path.startsWith('node_modules/') && !entry.dev && !entry.devOptional)
      .map(([path, entry]) => ({ path, major: minimumMajor(entry.engines?.node ?? '') }));
    const highest = Math.max(...required.map((r) => r.major));
    expect(highest).toBeGreaterThanOrEqual(20);
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
    expect(minimumMajor(manifest.engines.node)).toBeGreaterThanOrEqual(highest);
    expect(README).toContain(`\`engines\`: \`${manifest.engines.node}\``);
    expect(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8')).toMatch(/^ARG RUNTIME_IMAGE=node:24-/m);
  });

  it('documents every variable dnsgate and its built-in plugins read', () => {
    const sections = [gatewaySection(), ...pluginsOfModules(BUILTIN_PLUGINS).map(pluginSection)];
    const variables = sections.flatMap((section) => section.entries.map((entry) => entry.variable));
    expect(variables.length).toBeGreaterThan(30);
    expect(
      variables.filter((variable) => !README.includes(`\`${variable}\``) && !README.includes(`\`${variable} `)),
    ).toEqual([]);
  });
});
