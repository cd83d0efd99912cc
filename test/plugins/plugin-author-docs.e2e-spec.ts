import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync } from 'node:fs';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { WEBHOOK_MEDIA_TYPE } from '@dnsgate/plugin-sdk';
import { freePort } from '../support/free-port.js';
import { shellBlocks as blocksOf } from '../support/markdown-commands.js';
import { REPO_ROOT, webhook } from './package-tools.js';

const shellBlocks = (file: string, heading: string): string[] => blocksOf(REPO_ROOT, file, heading);

interface Shell {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/**
 * Runs documented commands as a user would type them, in bash, with HOME in
 * a temp directory where ~/dnsgate is this checkout. The npm cache is the
 * machine's usual one, so packages already downloaded are not fetched again;
 * everything else is a real `npm install`.
 */
function runDocumented(home: string, script: string, env: Record<string, string> = {}): Shell {
  const child = spawn('bash', ['-euo', 'pipefail', '-c', script], {
    cwd: home,
    detached: true,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: home,
      npm_config_cache: process.env.npm_config_cache ?? join(homedir(), '.npm'),
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
      ...(process.env.NODE_EXTRA_CA_CERTS ? { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGTERM');
      await exited;
    },
  };
}

async function newHome(): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'dnsgate-author-'));
  await symlink(REPO_ROOT, join(home, 'dnsgate'), 'dir');
  return home;
}

/** Polls /readyz of a documented command that ends by serving; fails with its output if it exits first. */
async function waitUntilServing(shell: Shell, healthUrl: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (shell.child.exitCode !== null)
      throw new Error(`the commands exited with ${shell.child.exitCode}:\n${shell.output()}`);
    try {
      if ((await fetch(`${healthUrl}/readyz`)).status === 200) return;
    } catch {
      // not serving yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`dnsgate was not ready within ${timeoutMs / 1000} s:\n${shell.output()}`);
}

async function ports(): Promise<{ env: Record<string, string>; webhookUrl: string; healthUrl: string }> {
  const webhookPort = await freePort();
  const healthPort = await freePort();
  return {
    env: {
      DNSGATE_WEBHOOK_PORT: String(webhookPort),
      DNSGATE_HEALTH_HOST: '127.0.0.1',
      DNSGATE_HEALTH_PORT: String(healthPort),
    },
    webhookUrl: `http://127.0.0.1:${webhookPort}`,
    healthUrl: `http://127.0.0.1:${healthPort}`,
  };
}

describe('docs/writing-a-plugin.md, followed literally', () => {
  let home: string;

  beforeAll(async () => {
    home = await newHome();
  });
  afterAll(async () => {
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('1. scaffolds a plugin whose real `npm install` takes the SDK tarballs, and which builds and passes its testkit test', async () => {
    const [block] = shellBlocks('docs/writing-a-plugin.md', '## 1. ');
    expect(block).toContain('npm install');
    const shell = runDocumented(home, block!);
    const code = await shell.exited;
    expect({ code, output: code === 0 ? '' : shell.output() }).toEqual({ code: 0, output: '' });
    expect(shell.output()).toMatch(/Tests:\s+\d+ passed, \d+ total/);

    const plugin = join(home, 'dnsgate-plugin-acme');
    const manifest = JSON.parse(await readFile(join(plugin, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
      peerDependencies: Record<string, string>;
    };
    expect(manifest.devDependencies['@dnsgate/plugin-sdk']).toMatch(
      /^file:.*packs\/dnsgate-plugin-sdk-\d+\.\d+\.\d+\.tgz$/,
    );
    expect(manifest.peerDependencies['@dnsgate/plugin-sdk']).toMatch(/^\^\d+\.\d+\.\d+$/);
    // Installed from the tarball, not linked to this checkout's sources.
    const sdk = join(plugin, 'node_modules/@dnsgate/plugin-sdk');
    expect(lstatSync(sdk).isSymbolicLink()).toBe(false);
    expect(existsSync(join(sdk, 'dist/testkit/index.js'))).toBe(true);
    expect(existsSync(join(sdk, 'src'))).toBe(false);
    expect(existsSync(join(plugin, 'dist/index.js'))).toBe(true);
  }, 900_000);

  it('8. installs the packed plugin beside the SDK, checks it and serves it by name', async () => {
    expect(existsSync(join(home, 'dnsgate-plugin-acme/dist/index.js'))).toBe(true);
    const [block] = shellBlocks('docs/writing-a-plugin.md', '## 8. ');
    const { env, webhookUrl, healthUrl } = await ports();
    const shell = runDocumented(home, block!, env);
    try {
      await waitUntilServing(shell, healthUrl, 600_000);
      expect(shell.output()).toContain('dnsgate check: OK');
      expect(shell.output()).toMatch(/plugin package loaded: .*dnsgate-site\/node_modules\/dnsgate-plugin-acme/);
      const negotiate = await webhook(webhookUrl, '/');
      expect(negotiate.headers.get('content-type')).toBe(WEBHOOK_MEDIA_TYPE);
      expect(await negotiate.json()).toEqual({ include: ['example.org'] });
      const apply = await webhook(webhookUrl, '/records', {
        create: [{ dnsName: 'www.example.org', targets: ['192.0.2.1'], recordType: 'A' }],
      });
      expect(apply.status).toBe(204);
      expect(await (await webhook(webhookUrl, '/records')).json()).toEqual([
        { dnsName: 'www.example.org', targets: ['192.0.2.1'], recordType: 'A', recordTTL: 300 },
      ]);
    } finally {
      await shell.stop();
    }
  }, 900_000);
});

describe('examples/dnsgate-plugin-hosts/README.md, followed literally', () => {
  let home: string;

  beforeAll(async () => {
    home = await newHome();
  });
  afterAll(async () => {
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('packs the example with the SDK, installs it and serves records into the hosts file', async () => {
    const [block] = shellBlocks('examples/dnsgate-plugin-hosts/README.md', '## Name');
    const { env, webhookUrl, healthUrl } = await ports();
    const shell = runDocumented(home, block!, env);
    try {
      await waitUntilServing(shell, healthUrl, 600_000);
      const apply = await webhook(webhookUrl, '/records', {
        create: [{ dnsName: 'app.home.example.com', targets: ['192.0.2.10'], recordType: 'A' }],
      });
      expect(apply.status).toBe(204);
      expect(await readFile(join(home, 'dnsgate-site/hosts'), 'utf8')).toMatch(
        /^192\.0\.2\.10\tapp\.home\.example\.com$/m,
      );
    } finally {
      await shell.stop();
    }
  }, 900_000);
});
