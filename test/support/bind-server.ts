import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { freePort } from './free-port.js';
import { runCommand } from './run-command.js';

/** The TSIG algorithms BIND and `tsig-keygen` know. */
export type TsigAlgorithm = 'hmac-sha1' | 'hmac-sha224' | 'hmac-sha256' | 'hmac-sha384' | 'hmac-sha512';

export interface BindKeySpec {
  name: string;
  /** Default `hmac-sha256`. */
  algorithm?: TsigAlgorithm;
}

export interface BindKey {
  name: string;
  algorithm: TsigAlgorithm;
  /** Base64, as `tsig-keygen` made it. */
  secret: string;
  /** `ALG:NAME:SECRET` for `dig -y` / `nsupdate -y`. */
  digArg: string;
}

export interface BindZoneSpec {
  /** The zone's name, without a trailing dot. */
  name: string;
  /**
   * A zone file to serve as it is (copied into the server's directory, so
   * BIND's journal never lands next to it). Without it the zone starts with
   * an SOA and an out-of-zone apex NS only.
   */
  file?: string;
  /** Extra lines appended to the generated zone file (ignored with `file`). */
  extraRecords?: string[];
  /** Key names allowed to send DNS UPDATE; omitted: no updates at all. */
  updateKeys?: string[];
  /** Key names allowed to AXFR; omitted: the update keys. */
  transferKeys?: string[];
  /** Let anyone update/transfer without TSIG (for the insecure mode). */
  allowUnsigned?: boolean;
}

export interface BindOptions {
  zones: BindZoneSpec[];
  keys?: BindKeySpec[];
  /** A fixed port (e.g. to restart on the same one); default a free port. */
  port?: number;
  /** Keys made by an earlier server, to share between several servers. */
  reuseKeys?: BindKey[];
  /** More statements for named.conf's options block, e.g. `provide-ixfr no;`. */
  options?: string[];
}

export interface BindServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** `127.0.0.1:PORT`. */
  readonly address: string;
  /** The keys by name, with their secrets. */
  readonly keys: Record<string, BindKey>;
  /** The server's directory (named.conf, zone files, journals). */
  readonly dir: string;
  /** Everything named wrote to stderr so far. */
  log(): string;
  /** SIGHUP: named re-reads its configuration and reloads changed zone files. */
  reload(): Promise<void>;
  /** Stops named (keeps the directory until `dispose`). */
  stop(): Promise<void>;
  /** Freezes named (SIGSTOP): connections are accepted by the kernel and never answered. */
  stall(): void;
  /** Lets a frozen named go on (SIGCONT). */
  resume(): void;
  /** Starts named again after `stop` or a kill, on the same port, directory and zones (journals included). */
  restart(): Promise<void>;
  /** Sends a signal to named (SIGKILL, SIGSTOP, SIGCONT), for fault tests. */
  signal(signal: NodeJS.Signals): void;
  /** Stops named and removes its directory. */
  dispose(): Promise<void>;
}

const NAMED = process.env.NAMED_BIN ?? 'named';
const DEFAULT_NS = 'ns1.dnsgate-test.invalid.';

/**
 * Starts a real BIND 9 (`named -g`) on a free loopback port in a temporary
 * directory, serving the given zones as primary, with TSIG keys made by
 * `tsig-keygen`. Resolves once named answers an SOA query over TCP for every
 * zone.
 */
export async function startBind(options: BindOptions): Promise<BindServer> {
  const dir = mkdtempSync(join(tmpdir(), 'dnsgate-bind-'));
  const port = options.port ?? (await freePort());
  const keys: Record<string, BindKey> = {};
  for (const key of options.reuseKeys ?? []) keys[key.name] = key;
  for (const spec of options.keys ?? []) {
    keys[spec.name] = await makeKey(spec.name, spec.algorithm ?? 'hmac-sha256');
  }

  const conf: string[] = [
    'options {',
    `  directory "${dir}";`,
    `  pid-file "${join(dir, 'named.pid')}";`,
    `  session-keyfile "${join(dir, 'session.key')}";`,
    `  managed-keys-directory "${dir}";`,
    `  listen-on port ${port} { 127.0.0.1; };`,
    '  listen-on-v6 { none; };',
    '  recursion no;',
    '  dnssec-validation no;',
    '  notify no;',
    '  allow-query { any; };',
    '  allow-transfer { none; };',
    '  max-journal-size unlimited;',
    ...(options.options ?? []).map((option) => `  ${option}`),
    '};',
    'controls { };',
    'logging { category default { default_stderr; }; category update { default_stderr; }; category lame-servers { null; }; };',
  ];
  for (const key of Object.values(keys)) {
    conf.push(`key "${key.name}" { algorithm ${key.algorithm}; secret "${key.secret}"; };`);
  }
  for (const zone of options.zones) {
    const file = join(dir, `${zone.name}.zone`);
    if (zone.file) copyFileSync(zone.file, file);
    else writeFileSync(file, defaultZone(zone.name, zone.extraRecords ?? []));
    const update = zone.allowUnsigned ? ['any'] : (zone.updateKeys ?? []).map((k) => `key "${k}"`);
    const transfer = zone.allowUnsigned
      ? ['any']
      : (zone.transferKeys ?? zone.updateKeys ?? []).map((k) => `key "${k}"`);
    conf.push(
      `zone "${zone.name}" {`,
      '  type primary;',
      `  file "${file}";`,
      `  allow-update { ${update.length > 0 ? update.join('; ') + ';' : 'none;'} };`,
      `  allow-transfer { ${transfer.length > 0 ? transfer.join('; ') + ';' : 'none;'} };`,
      '};',
    );
  }
  const confFile = join(dir, 'named.conf');
  writeFileSync(confFile, conf.join('\n') + '\n');
  const asRoot = process.getuid?.() === 0;
  if (!asRoot) chmodSync(dir, 0o777);
  else {
    try {
      // named -u bind is not used, but keep the tree readable for tools run as bind.
      chownSync(dir, 0, 0);
    } catch {
      /* not important */
    }
  }

  const check = await runCommand('named-checkconf', [confFile]);
  if (check.code !== 0) throw new Error(`named-checkconf failed: ${check.stdout}${check.stderr}`);

  let output = '';
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const launch = async (): Promise<void> => {
    output = '';
    const proc = spawn(NAMED, ['-g', '-4', '-n', '1', '-c', confFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (data: string) => {
      output += data;
    });
    exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`named exited with ${proc.exitCode}:\n${output}`);
      if (
        await answersAll(
          port,
          options.zones.map((z) => z.name),
        )
      )
        return;
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(`named did not answer within 15 s:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  await launch();

  const stop = async (): Promise<void> => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const proc = child;
      proc.kill('SIGCONT');
      proc.kill('SIGTERM');
      const killer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    }
  };

  return {
    host: '127.0.0.1',
    port,
    address: `127.0.0.1:${port}`,
    keys,
    dir,
    log: () => output,
    reload: async () => {
      child?.kill('SIGHUP');
      await new Promise((r) => setTimeout(r, 300));
    },
    stop,
    stall: () => {
      child?.kill('SIGSTOP');
    },
    resume: () => {
      child?.kill('SIGCONT');
    },
    restart: async () => {
      await stop();
      await launch();
    },
    signal: (signal) => {
      child?.kill(signal);
    },
    dispose: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function defaultZone(zone: string, extra: string[]): string {
  return [
    `$ORIGIN ${zone}.`,
    '$TTL 3600',
    `@ IN SOA ${DEFAULT_NS} hostmaster.${zone}. 1 3600 600 86400 60`,
    `@ IN NS ${DEFAULT_NS}`,
    ...extra,
    '',
  ].join('\n');
}

async function makeKey(name: string, algorithm: TsigAlgorithm): Promise<BindKey> {
  const result = await runCommand('tsig-keygen', ['-a', algorithm, name]);
  const secret = /secret "([^"]+)"/.exec(result.stdout)?.[1];
  if (result.code !== 0 || !secret) throw new Error(`tsig-keygen failed: ${result.stderr}`);
  return { name, algorithm, secret, digArg: `${algorithm}:${name}:${secret}` };
}

/** True when named answers an SOA query over TCP for every zone with an authoritative answer. */
async function answersAll(port: number, zones: string[]): Promise<boolean> {
  for (const zone of zones) {
    if (!(await tcpOpen(port))) return false;
    const result = await runCommand('dig', [
      '@127.0.0.1',
      '-p',
      String(port),
      '+tcp',
      '+norecurse',
      '+time=1',
      '+tries=1',
      zone,
      'SOA',
    ]);
    if (result.code !== 0 || !/status: NOERROR/.test(result.stdout) || !/flags: qr aa/.test(result.stdout))
      return false;
  }
  return true;
}

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** How many messages `dig AXFR` of the zone received (its "XFR size" line). */
export async function axfrMessageCount(server: BindServer, zone: string, key: BindKey): Promise<number> {
  const result = await runCommand('dig', ['-y', key.digArg, '@127.0.0.1', '-p', String(server.port), zone, 'AXFR']);
  const messages = /XFR size: \d+ records \(messages (\d+)/.exec(result.stdout)?.[1];
  if (result.code !== 0 || messages === undefined)
    throw new Error(`dig AXFR failed: ${result.stderr || result.stdout}`);
  return Number(messages);
}

/** Sends `commands` to `zone` with nsupdate, signed with `key`, as an operator would, outside dnsgate. */
export async function nsupdate(server: BindServer, key: BindKey, zone: string, commands: string[]): Promise<void> {
  const script = [`server 127.0.0.1 ${server.port}`, `zone ${zone}`, ...commands, 'send', ''].join('\n');
  const result = await runCommand('nsupdate', ['-v', '-y', key.digArg], { input: script });
  if (result.code !== 0) throw new Error(`nsupdate failed: ${result.stderr}${result.stdout}`);
}

/** `dig -y KEY AXFR zone`, parsed into presentation lines `name ttl class type rdata` (SOA excluded). */
export async function digAxfr(server: BindServer, zone: string, key?: BindKey): Promise<string[]> {
  const args = ['@127.0.0.1', '-p', String(server.port), '+noall', '+answer', '+onesoa', zone, 'AXFR'];
  if (key) args.unshift('-y', key.digArg);
  const result = await runCommand('dig', args);
  if (result.code !== 0) throw new Error(`dig AXFR failed (${result.code}): ${result.stderr || result.stdout}`);
  if (/Transfer failed|; TSIG|communications error/.test(result.stdout))
    throw new Error(`dig AXFR failed: ${result.stdout}`);
  return result.stdout
    .split('\n')
    .map((line) => line.trim().replace(/\s+/g, ' '))
    .filter((line) => line !== '' && !line.startsWith(';'))
    .filter((line) => line.split(' ')[3] !== 'SOA');
}
