import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBind, type BindServer } from '../support/bind-server.js';
import { spawnDnsgate, type DnsgateProcess } from '../support/dnsgate-process.js';
import { startPowerDns, type PowerDnsTestServer } from '../support/powerdns-server.js';
import { rfc2136Env } from '../rfc2136/rfc2136-test-kit.js';

export type BackendKind = 'file' | 'powerdns' | 'rfc2136';
export const BACKEND_KINDS: BackendKind[] = ['file', 'powerdns', 'rfc2136'];

/** A real backend serving `zones`, and the env that points a dnsgate process at it. */
export interface TestBackend {
  kind: BackendKind;
  env: Record<string, string>;
  powerdns?: PowerDnsTestServer;
  bind?: BindServer;
  /** The file plugin's directory. */
  dir?: string;
  dispose(): Promise<void>;
}

export async function startBackend(kind: BackendKind, zones: string[]): Promise<TestBackend> {
  if (kind === 'file') {
    const dir = await mkdtemp(join(tmpdir(), 'dnsgate-hostile-'));
    return {
      kind,
      dir,
      env: { DNSGATE_PLUGIN: 'file', DNSGATE_FILE_DIR: dir, DNSGATE_FILE_ZONES: zones.join(',') },
      dispose: () => rm(dir, { recursive: true, force: true }),
    };
  }
  if (kind === 'powerdns') {
    const powerdns = await startPowerDns();
    for (const zone of zones) await powerdns.createZone(zone);
    return {
      kind,
      powerdns,
      env: {
        DNSGATE_PLUGIN: 'powerdns',
        DNSGATE_POWERDNS_URL: powerdns.url,
        DNSGATE_POWERDNS_API_KEY: powerdns.apiKey,
      },
      dispose: () => powerdns.stop(),
    };
  }
  const bind = await startBind({
    zones: zones.map((name) => ({ name, updateKeys: ['dnsgate'] })),
    keys: [{ name: 'dnsgate', algorithm: 'hmac-sha256' }],
  });
  return {
    kind,
    bind,
    env: { DNSGATE_PLUGIN: 'rfc2136', ...rfc2136Env([bind], zones, bind.keys.dnsgate) },
    dispose: () => bind.dispose(),
  };
}

/** A dnsgate process (as `npm start` runs it) on `backend`, ready to serve. */
export function spawnOn(backend: TestBackend, env: Record<string, string> = {}): Promise<DnsgateProcess> {
  return spawnDnsgate({ env: { ...backend.env, ...env } });
}
