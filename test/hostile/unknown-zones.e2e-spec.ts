import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { chmod, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WEBHOOK_MEDIA_TYPE } from '@dnsgate/plugin-sdk';
import { spawnDnsgate, type DnsgateProcess } from '../support/dnsgate-process.js';

/** Issue 12, defect 7: GET / never announces "every domain" when the zones cannot be known; a hopeless start says why. */
const NOBODY = 65534;

async function cpuSeconds(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function readyz(dnsgate: DnsgateProcess): Promise<{ status: number; reason: string }> {
  const response = await fetch(`${dnsgate.healthUrl}/readyz`);
  const body = (await response.json()) as { plugins: Array<{ reason?: string }> };
  return { status: response.status, reason: body.plugins[0]?.reason ?? '' };
}

describe('file plugin whose directory cannot be used, no zones configured', () => {
  jest.setTimeout(60_000);
  let dnsgate: DnsgateProcess | undefined;
  let root: string | undefined;

  afterEach(async () => {
    await dnsgate?.stop();
    dnsgate = undefined;
    if (root) await rm(root, { recursive: true, force: true });
  });

  it.each([
    ['a directory the user may not read or write', 'unreadable', 0o700, 'EACCES'],
    ['a directory under one the user may not enter', 'locked/zones', 0o700, 'EACCES'],
    // Readable, so it lists no zone files, but not writable, as on a read-only filesystem.
    ['a directory the user may read but not write', 'readonly', 0o755, 'cannot read and write it: EACCES'],
  ])('answers GET / with 503 for %s, and /readyz says why', async (_what, relative, mode, code) => {
    root = await mkdtemp(join(tmpdir(), 'dnsgate-unknown-zones-'));
    await chmod(root, 0o755);
    await mkdir(join(root, relative.split('/')[0]!), { mode });
    dnsgate = await spawnDnsgate({
      env: { DNSGATE_PLUGIN: 'file', DNSGATE_FILE_DIR: join(root, relative) },
      waitFor: 'healthz',
      uid: NOBODY,
      gid: NOBODY,
    });
    const negotiation = await fetch(`${dnsgate.webhookUrl}/`, { headers: { accept: WEBHOOK_MEDIA_TYPE } });
    expect(negotiation.status).toBe(503);
    expect(await negotiation.text()).toContain('zones are not known');
    // ExternalDNS prints only the Content-Type when it stops ("wrong content type returned from server: …").
    expect(negotiation.headers.get('content-type')).toMatch(
      /^application\/json;error="dnsgate cannot negotiate yet: .*zones are not known/,
    );
    const ready = await readyz(dnsgate);
    expect(ready.status).toBe(503);
    expect(ready.reason).toContain(code);
  });

  it('bounds a start that can never succeed (DNSGATE_FILE_DIR=/proc/x): no spinning, 503, and the reason logged', async () => {
    dnsgate = await spawnDnsgate({
      env: { DNSGATE_PLUGIN: 'file', DNSGATE_FILE_DIR: '/proc/dnsgate-x' },
      waitFor: 'healthz',
    });
    const pid = dnsgate.child.pid!;
    const before = await cpuSeconds(pid);
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    // The old start spun in mkdir at ~91% of a core; a retrying start is idle between attempts.
    expect((await cpuSeconds(pid)) - before).toBeLessThan(2);
    expect((await fetch(`${dnsgate.webhookUrl}/`)).status).toBe(503);
    const ready = await readyz(dnsgate);
    expect(ready.status).toBe(503);
    expect(ready.reason).toContain('cannot create /proc/dnsgate-x');
    expect(dnsgate.output()).toContain('cannot create /proc/dnsgate-x');
  });

  it('still announces the zones once the plugin has started', async () => {
    root = await mkdtemp(join(tmpdir(), 'dnsgate-unknown-zones-'));
    dnsgate = await spawnDnsgate({
      env: { DNSGATE_PLUGIN: 'file', DNSGATE_FILE_DIR: root, DNSGATE_FILE_ZONES: 'example.org' },
    });
    const negotiation = await fetch(`${dnsgate.webhookUrl}/`, { headers: { accept: WEBHOOK_MEDIA_TYPE } });
    expect(negotiation.status).toBe(200);
    expect(await negotiation.json()).toEqual({ include: ['example.org'] });
  });
});
