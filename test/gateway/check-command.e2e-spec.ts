import { execFile } from 'node:child_process';
import { PowerDnsTestServer } from '../support/powerdns-server.js';
import { GATEWAY_MAIN, spawnDnsgate } from '../support/dnsgate-process.js';

function check(
  env: Record<string, string>,
  args: string[] = [],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [GATEWAY_MAIN, 'check', ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** `dnsgate check` against a real PowerDNS: what an init container would see. */
describe('dnsgate check', () => {
  let pdns: PowerDnsTestServer;
  let env: Record<string, string>;

  beforeAll(async () => {
    pdns = await PowerDnsTestServer.start();
    await pdns.createZone('example.org');
    await pdns.createZone('example.net');
    env = {
      DNSGATE_PLUGIN: 'powerdns',
      DNSGATE_POWERDNS_URL: pdns.url,
      DNSGATE_POWERDNS_API_KEY: pdns.apiKey,
      DNSGATE_POWERDNS_TIMEOUT: '1s',
    };
  }, 60_000);

  afterAll(async () => {
    await pdns?.stop();
  });

  it('prints the zones the backend serves and the filter it would announce, and exits 0', async () => {
    const result = await check({ ...env, DNSGATE_DOMAIN_FILTER: 'example.org' });
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(result.stdout).toContain('configuration: valid (plugin "powerdns")');
    expect(result.stdout).toContain('backend: reachable, plugin ready');
    expect(result.stdout).toContain('zones: example.org\n');
    expect(result.stdout).toContain('domain filter announced on GET /: {"include":["example.org"]}');
  });

  it('exits 1 with the reason when the backend refuses the key, without printing the key', async () => {
    const wrongKey = 'not-the-right-key-0123456789';
    const result = await check({ ...env, DNSGATE_POWERDNS_API_KEY: wrongKey }, ['--timeout=3']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/dnsgate check failed: .*(401|403|key|Unauthorized)/i);
    expect(result.stdout + result.stderr).not.toContain(wrongKey);
  });

  it('exits 1 when the backend is down, naming it, and 0 again once it is back', async () => {
    await pdns.halt();
    try {
      const down = await check(env, ['--timeout=3']);
      expect(down.code).toBe(1);
      expect(down.stderr).toContain('dnsgate check failed: cannot reach the backend');
    } finally {
      await pdns.launch();
    }
    expect((await check(env)).code).toBe(0);
  }, 60_000);

  it('exits 2 on a configuration error, naming the variable, and warns about a misspelt one', async () => {
    const result = await check({ ...env, DNSGATE_POWERDNS_URL: 'not a url', DNSGATE_POWERDNS_APIKEY: 'x' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('DNSGATE_POWERDNS_URL');
    expect(result.stderr).toContain(
      'warning: DNSGATE_POWERDNS_APIKEY is not a dnsgate variable and is ignored; did you mean DNSGATE_POWERDNS_API_KEY?',
    );
  });

  it('the server warns at start about a misspelt variable too', async () => {
    const dnsgate = await spawnDnsgate({ env: { ...env, DNSGATE_POWERDNS_ZONE: 'example.org' } });
    try {
      expect(dnsgate.output()).toContain(
        'DNSGATE_POWERDNS_ZONE is not a dnsgate variable and is ignored; did you mean DNSGATE_POWERDNS_ZONES?',
      );
    } finally {
      await dnsgate.stop();
    }
  });
});
