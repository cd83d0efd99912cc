import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WEBHOOK_MEDIA_TYPE } from '@dnsgate/plugin-sdk';
import { rawHeader, rawRequest } from '../support/raw-http.js';
import { GATEWAY_MAIN, runDnsgateExpectingFailure, spawnDnsgate } from '../support/dnsgate-process.js';

describe('the built dnsgate process (what npm start runs)', () => {
  beforeAll(() => {
    if (!existsSync(GATEWAY_MAIN))
      throw new Error(`${GATEWAY_MAIN} is missing: run npm run build first (npm test does)`);
  });

  it('starts on the file plugin with no configuration, serves the webhook API, and stops on SIGTERM', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'dnsgate-start-'));
    const dnsgate = await spawnDnsgate({ cwd });
    try {
      const negotiation = await rawRequest(`${dnsgate.webhookUrl}/`, { headers: { accept: WEBHOOK_MEDIA_TYPE } });
      expect(negotiation.status).toBe(200);
      expect(rawHeader(negotiation, 'content-type')).toBe(WEBHOOK_MEDIA_TYPE);
      expect((await fetch(`${dnsgate.healthUrl}/readyz`)).status).toBe(200);
      expect(dnsgate.output()).toMatch(/DNSGATE_FILE_ZONES/);
      const records = await fetch(`${dnsgate.webhookUrl}/records`, { headers: { accept: WEBHOOK_MEDIA_TYPE } });
      expect(records.status).toBe(200);
      expect(await records.json()).toEqual([]);
      expect(existsSync(join(cwd, 'data', 'zones'))).toBe(true);
    } finally {
      expect(await dnsgate.stop()).toBe(0);
    }
  });

  it('keeps the webhook connection open longer than Go keeps idle connections (90 s)', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'dnsgate-keepalive-'));
    const dnsgate = await spawnDnsgate({ cwd, env: { DNSGATE_FILE_ZONES: 'example.com' } });
    try {
      const response = await rawRequest(`${dnsgate.webhookUrl}/records`, { headers: { accept: WEBHOOK_MEDIA_TYPE } });
      const keepAlive = rawHeader(response, 'keep-alive');
      expect(keepAlive).toMatch(/timeout=(\d+)/);
      expect(Number(/timeout=(\d+)/.exec(keepAlive!)![1])).toBeGreaterThan(90);
      expect(readdirSync(join(cwd, 'data', 'zones'))).toContain('example.com.zone');
    } finally {
      await dnsgate.stop();
    }
  });

  it('refuses to start with a readable error and exit code 1 on bad configuration', async () => {
    const { code, output } = await runDnsgateExpectingFailure({
      DNSGATE_PLUGIN: 'nosuch',
      DNSGATE_WEBHOOK_PORT: '0',
      DNSGATE_HEALTH_PORT: '0',
    });
    expect(code).toBe(1);
    expect(output).toContain('dnsgate cannot start');
    expect(output).toContain('no plugin named "nosuch"');
    expect(output).toMatch(/available: file \(/);
    expect(output).not.toMatch(/\n\s+at /);
  });
});
