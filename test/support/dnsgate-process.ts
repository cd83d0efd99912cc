import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';

export const GATEWAY_MAIN = fileURLToPath(new URL('../../apps/gateway/dist/main.js', import.meta.url));

export interface DnsgateProcess {
  child: ChildProcess;
  webhookUrl: string;
  healthUrl: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Runs the built gateway as `npm start` does (node apps/gateway/dist/main.js)
 * in its own process, on free loopback ports, and waits until /readyz (or /healthz) answers 200.
 */
export async function spawnDnsgate(
  options: {
    env?: Record<string, string>;
    cwd?: string;
    waitFor?: 'healthz' | 'readyz';
    /** How long the start may take (20 s); longer where many start at once on a loaded machine. */
    readyWithinMs?: number;
    /** Run as this user and group (e.g. nobody, to see permission errors root never gets). */
    uid?: number;
    gid?: number;
    /** Another build's gateway main.js (a benchmark comparing two builds); this checkout's by default. */
    main?: string;
  } = {},
): Promise<DnsgateProcess> {
  const webhookPort = await freePort();
  const healthPort = await freePort();
  let output = '';
  const child = spawn(process.execPath, [options.main ?? GATEWAY_MAIN], {
    cwd: options.cwd,
    env: {
      PATH: process.env.PATH ?? '',
      DNSGATE_WEBHOOK_PORT: String(webhookPort),
      DNSGATE_HEALTH_HOST: '127.0.0.1',
      DNSGATE_HEALTH_PORT: String(healthPort),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.uid !== undefined ? { uid: options.uid } : {}),
    ...(options.gid !== undefined ? { gid: options.gid } : {}),
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const healthUrl = `http://127.0.0.1:${healthPort}`;
  const readyWithinMs = options.readyWithinMs ?? 20_000;
  const deadline = Date.now() + readyWithinMs;
  let lastAnswer: string;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`dnsgate exited with ${child.exitCode}:\n${output}`);
    try {
      const answer = await fetch(`${healthUrl}/${options.waitFor ?? 'readyz'}`);
      if (answer.ok) break;
      lastAnswer = `${answer.status} ${await answer.text()}`;
    } catch (error) {
      // not listening yet
      lastAnswer = `no answer (${(error as Error).message})`;
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`dnsgate did not come up in ${readyWithinMs / 1000} s (last: ${lastAnswer}):\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    child,
    webhookUrl: `http://127.0.0.1:${webhookPort}`,
    healthUrl,
    output: () => output,
    stop: () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Runs the built gateway expecting it to refuse to start; resolves with its exit code and output. */
export function runDnsgateExpectingFailure(
  env: Record<string, string>,
  cwd?: string,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(process.execPath, [GATEWAY_MAIN], {
      cwd,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
