import { spawn, type ChildProcess } from 'node:child_process';
import { chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { runCommand } from './run-command.js';

const PDNS_SCHEMA = '/usr/share/pdns-backend-pgsql/schema/schema.pgsql.sql';

export interface PostgresServer {
  host: '127.0.0.1';
  port: number;
  user: 'postgres';
  /** A new database with PowerDNS's gpgsql schema loaded. */
  createPowerDnsDatabase(name: string): Promise<string>;
  dispose(): Promise<void>;
}

/** Debian's PostgreSQL binaries (the newest installed major version). */
async function binDir(): Promise<string> {
  const versions = (await readdir('/usr/lib/postgresql')).sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
  return `/usr/lib/postgresql/${versions[0]}/bin`;
}

/**
 * A throwaway PostgreSQL cluster on a free loopback port, run as the
 * `postgres` system user (PostgreSQL refuses to run as root) from a temp
 * directory, with trust authentication on 127.0.0.1 only.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = await binDir();
  const { uid, gid } = await idOf('postgres');
  const dir = await mkdtemp(join(tmpdir(), 'dnsgate-pg-'));
  await chown(dir, uid, gid);
  const data = join(dir, 'data');
  const asPostgres = { uid, gid, env: { PATH: process.env.PATH ?? '', LANG: 'C' } };
  const init = await run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8'], asPostgres);
  if (init.code !== 0) throw new Error(`initdb failed: ${init.output}`);
  const port = await freePort();
  let output = '';
  const child: ChildProcess = spawn(
    join(bin, 'postgres'),
    ['-D', data, '-h', '127.0.0.1', '-p', String(port), '-k', dir, '-c', 'fsync=off', '-c', 'max_connections=50'],
    { ...asPostgres, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}:\n${output}`);
    const ready = await runCommand(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)]);
    if (ready.code === 0) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`postgres did not accept connections in 30 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const psql = (args: string[], input?: string) =>
    runCommand(
      'psql',
      ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-v', 'ON_ERROR_STOP=1', ...args],
      input === undefined ? {} : { input },
    );
  return {
    host: '127.0.0.1',
    port,
    user: 'postgres',
    createPowerDnsDatabase: async (name) => {
      const created = await psql(['-c', `CREATE DATABASE ${name}`]);
      if (created.code !== 0) throw new Error(`CREATE DATABASE failed: ${created.stderr}`);
      const schema = await psql(['-d', name, '-f', PDNS_SCHEMA]);
      if (schema.code !== 0) throw new Error(`loading the PowerDNS schema failed: ${schema.stderr}`);
      return name;
    },
    dispose: async () => {
      if (child.exitCode === null) {
        const gone = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await gone;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function idOf(user: string): Promise<{ uid: number; gid: number }> {
  const uid = await runCommand('id', ['-u', user]);
  const gid = await runCommand('id', ['-g', user]);
  if (uid.code !== 0) throw new Error(`no system user ${user} (it comes with Debian's postgresql package)`);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function run(
  command: string,
  args: string[],
  options: { uid: number; gid: number; env: Record<string, string> },
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => resolve({ code, output }));
  });
}
