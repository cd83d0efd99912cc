import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { runCommand } from './run-command.js';

const SCHEMA = '/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql';

export interface PdnsTestRrset {
  name: string;
  type: string;
  ttl?: number;
  changetype?: 'REPLACE' | 'DELETE';
  records?: Array<{ content: string; disabled?: boolean }>;
}

export interface PdnsTestZone {
  id: string;
  name: string;
  rrsets: Array<{ name: string; type: string; ttl: number; records: Array<{ content: string; disabled: boolean }> }>;
}

export interface StartPowerDnsOptions {
  apiKey?: string;
  /** The webserver's request body cap in MB (PowerDNS's default is 2). */
  maxBodyMb?: number;
  /** Store the zones in this PostgreSQL database (gpgsql, with PowerDNS's schema loaded) instead of SQLite. */
  postgres?: { host: string; port: number; dbname: string; user: string };
}

/**
 * A real PowerDNS Authoritative server (gsqlite3) on free loopback ports, in
 * its own temp directory, with its own config. Only 127.0.0.1 is used.
 */
export class PowerDnsTestServer {
  private child?: ChildProcess;
  private output = '';

  private constructor(
    readonly dir: string,
    readonly apiKey: string,
    readonly apiPort: number,
    readonly dnsPort: number,
  ) {}

  /** The webserver base URL, as DNSGATE_POWERDNS_URL takes it. */
  get url(): string {
    return `http://127.0.0.1:${this.apiPort}`;
  }

  readonly serverId = 'localhost';

  /** The process id of the running pdns_server, for tests that signal it. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  static async start(options: StartPowerDnsOptions = {}): Promise<PowerDnsTestServer> {
    const dir = await mkdtemp(join(tmpdir(), 'dnsgate-pdns-'));
    const apiKey = options.apiKey ?? randomBytes(18).toString('base64url');
    const server = new PowerDnsTestServer(dir, apiKey, await freePort(), await freePort());
    let backend: string[];
    if (options.postgres) {
      const { host, port, dbname, user } = options.postgres;
      backend = [
        'launch=gpgsql',
        `gpgsql-host=${host}`,
        `gpgsql-port=${port}`,
        `gpgsql-dbname=${dbname}`,
        `gpgsql-user=${user}`,
      ];
    } else {
      const schema = await readFile(SCHEMA, 'utf8');
      const created = await runCommand('sqlite3', [join(dir, 'pdns.sqlite3')], { input: schema });
      if (created.code !== 0) throw new Error(`sqlite3 could not create the PowerDNS database: ${created.stderr}`);
      backend = ['launch=gsqlite3', `gsqlite3-database=${join(dir, 'pdns.sqlite3')}`];
    }
    const config = [
      ...backend,
      'local-address=127.0.0.1',
      `local-port=${server.dnsPort}`,
      'api=yes',
      `api-key=${apiKey}`,
      'webserver=yes',
      'webserver-address=127.0.0.1',
      `webserver-port=${server.apiPort}`,
      'webserver-allow-from=127.0.0.1,::1',
      `webserver-max-bodysize=${options.maxBodyMb ?? 64}`,
      'daemon=no',
      'guardian=no',
      'security-poll-suffix=',
      'default-soa-content=ns1.example.net. hostmaster.@ 0 10800 3600 604800 3600',
      `socket-dir=${dir}`,
      'cache-ttl=0',
      'query-cache-ttl=0',
      'negquery-cache-ttl=0',
      'distributor-threads=1',
      'receiver-threads=1',
      'loglevel=4',
    ];
    await writeFile(join(dir, 'pdns.conf'), `${config.join('\n')}\n`);
    await server.launch();
    return server;
  }

  /** Starts pdns_server (again, on the same ports and database) and waits until the API answers. */
  async launch(): Promise<void> {
    if (this.child) throw new Error('pdns_server is already running');
    this.output = '';
    const child = spawn('pdns_server', [`--config-dir=${this.dir}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const collect = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    let exited = false;
    child.once('exit', () => {
      exited = true;
      if (this.child === child) this.child = undefined;
    });
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (exited) throw new Error(`pdns_server exited during start:\n${this.output}`);
      try {
        const response = await fetch(`${this.url}/api/v1/servers/localhost`, {
          headers: { 'x-api-key': this.apiKey },
          signal: AbortSignal.timeout(1000),
        });
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await this.halt();
        throw new Error(`pdns_server did not answer on ${this.url} within 15 s:\n${this.output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Stops the process (the database and ports stay, for `launch()` again). */
  async halt(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGCONT');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await gone;
    clearTimeout(timer);
    this.child = undefined;
  }

  /** Freezes the process: connections are accepted by the kernel but never answered. */
  stall(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  /** Stops the server and removes its directory. */
  async stop(): Promise<void> {
    await this.halt();
    await rm(this.dir, { recursive: true, force: true });
  }

  /** The last lines pdns_server logged, for failure messages. */
  get log(): string {
    return this.output;
  }

  /** A raw API call with the right key; never throws on a status. */
  async api(
    method: string,
    path: string,
    body?: unknown,
    apiKey = this.apiKey,
  ): Promise<{ status: number; body: unknown; text: string }> {
    const response = await fetch(`${this.url}/api/v1/servers/localhost${path}`, {
      method,
      headers: { 'x-api-key': apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // a plain-text body
    }
    return { status: response.status, body: parsed, text };
  }

  async createZone(name: string, nameservers: string[] = ['ns1.example.net.']): Promise<void> {
    const result = await this.api('POST', '/zones', { name: fq(name), kind: 'Native', nameservers });
    if (result.status !== 201) throw new Error(`creating zone ${name} failed: ${result.status} ${result.text}`);
  }

  async deleteZone(name: string): Promise<void> {
    const result = await this.api('DELETE', `/zones/${encodeURIComponent(fq(name))}`);
    if (result.status !== 204) throw new Error(`deleting zone ${name} failed: ${result.status} ${result.text}`);
  }

  async getZone(name: string): Promise<PdnsTestZone> {
    const result = await this.api('GET', `/zones/${encodeURIComponent(fq(name))}`);
    if (result.status !== 200) throw new Error(`reading zone ${name} failed: ${result.status} ${result.text}`);
    return result.body as PdnsTestZone;
  }

  async patchZone(name: string, rrsets: PdnsTestRrset[]): Promise<void> {
    const body = { rrsets: rrsets.map((r) => ({ changetype: 'REPLACE', ...r })) };
    const result = await this.api('PATCH', `/zones/${encodeURIComponent(fq(name))}`, body);
    if (result.status !== 204) throw new Error(`patching zone ${name} failed: ${result.status} ${result.text}`);
  }

  /** One rrset as the API has it, or undefined. */
  async rrset(zone: string, name: string, type: string): Promise<PdnsTestZone['rrsets'][number] | undefined> {
    const found = await this.getZone(zone);
    return found.rrsets.find((r) => r.name === fq(name) && r.type === type);
  }
}

function fq(name: string): string {
  return name.endsWith('.') ? name : `${name}.`;
}

export function startPowerDns(options?: StartPowerDnsOptions): Promise<PowerDnsTestServer> {
  return PowerDnsTestServer.start(options);
}
