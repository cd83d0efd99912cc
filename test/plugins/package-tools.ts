import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, symlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WEBHOOK_MEDIA_TYPE } from '@dnsgate/plugin-sdk';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The peers a plugin package expects beside it; linked from dnsgate's own node_modules, so there is one copy of each. */
export const PLUGIN_PEERS = [
  '@nestjs/common',
  'class-transformer',
  'class-validator',
  'prom-client',
  'reflect-metadata',
];

/** Runs a command to completion; rejects with its output when it exits non-zero. */
export function run(command: string, args: string[], cwd: string, timeoutMs = 120_000): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      command,
      args,
      {
        cwd,
        timeout: timeoutMs,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, npm_config_update_notifier: 'false' },
      },
      (error, stdout, stderr) => {
        if (error)
          reject(new Error(`${command} ${args.join(' ')} failed in ${cwd}: ${error.message}\n${stdout}\n${stderr}`));
        else resolvePromise(stdout);
      },
    );
  });
}

/** `npm pack` of a package folder into `destination`; returns the tarball's path. */
export async function npmPack(packageDir: string, destination: string): Promise<string> {
  // Scripts off: the test builds first, and a prepack hook must not need the network or a global tsc.
  const out = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', destination], packageDir);
  const [packed] = JSON.parse(out) as Array<{ filename: string }>;
  if (!packed) throw new Error(`npm pack of ${packageDir} reported nothing`);
  return join(destination, packed.filename);
}

/**
 * Installs tarballs into `directory` the way an operator would, without the
 * network: only local tarballs are named, and peers are linked from the
 * repository's node_modules instead of fetched.
 */
export async function installTarballs(directory: string, tarballs: string[]): Promise<void> {
  await run(
    'npm',
    [
      'install',
      '--offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--legacy-peer-deps',
      '--no-package-lock',
      ...tarballs,
    ],
    directory,
  );
  for (const peer of PLUGIN_PEERS) {
    const link = join(directory, 'node_modules', peer);
    await mkdir(dirname(link), { recursive: true });
    await symlink(join(REPO_ROOT, 'node_modules', peer), link, 'dir');
  }
}

export interface GatewayProcess {
  child: ChildProcess;
  webhookUrl: string;
  healthUrl: string;
  output(): string;
  stop(): Promise<void>;
}

/** Starts the built gateway (`apps/gateway/dist/main.js`) as an operator would, with `cwd` as the working directory. */
export function spawnGateway(
  cwd: string,
  env: Record<string, string>,
  ports: { webhook: number; health: number },
): GatewayProcess {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'apps/gateway/dist/main.js')], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      DNSGATE_WEBHOOK_HOST: '127.0.0.1',
      DNSGATE_WEBHOOK_PORT: String(ports.webhook),
      DNSGATE_HEALTH_HOST: '127.0.0.1',
      DNSGATE_HEALTH_PORT: String(ports.health),
      DNSGATE_LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolvePromise) => child.once('exit', () => resolvePromise()));
  return {
    child,
    webhookUrl: `http://127.0.0.1:${ports.webhook}`,
    healthUrl: `http://127.0.0.1:${ports.health}`,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Polls `/readyz` until 200; fails with the gateway's output when it exits or takes too long. */
export async function waitUntilReady(gateway: GatewayProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (gateway.child.exitCode !== null) {
      throw new Error(`the gateway exited with ${gateway.child.exitCode}:\n${gateway.output()}`);
    }
    try {
      const response = await fetch(`${gateway.healthUrl}/readyz`);
      last = `${response.status} ${await response.text()}`;
      if (response.status === 200) return;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`/readyz did not answer 200 within ${timeoutMs} ms (last: ${last}):\n${gateway.output()}`);
}

/** Waits for the process to exit on its own and returns its exit code. */
export function exitCode(gateway: GatewayProcess, timeoutMs = 30_000): Promise<number | null> {
  return new Promise((resolvePromise, reject) => {
    if (gateway.child.exitCode !== null) return resolvePromise(gateway.child.exitCode);
    const timer = setTimeout(() => reject(new Error(`the gateway did not exit:\n${gateway.output()}`)), timeoutMs);
    gateway.child.once('exit', (code) => {
      clearTimeout(timer);
      resolvePromise(code);
    });
  });
}

/** A request to the webhook API as ExternalDNS sends it. */
export function webhook(baseUrl: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { accept: WEBHOOK_MEDIA_TYPE };
  if (body !== undefined) headers['content-type'] = WEBHOOK_MEDIA_TYPE;
  return fetch(baseUrl + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers,
    ...(body === undefined ? {} : { body: `${JSON.stringify(body)}\n` }),
  });
}
