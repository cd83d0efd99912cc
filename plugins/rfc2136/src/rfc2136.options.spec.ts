import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PluginConfigError, loadPluginOptions } from '@dnsgate/plugin-sdk';
import { createTestPluginContext, drivePlugin } from '@dnsgate/plugin-sdk/testkit';
import { Rfc2136Options } from './rfc2136.options.js';
import { Rfc2136PluginFactory } from './rfc2136.plugin-factory.js';

const SECRET = '4q6YHR0u43bEd51mnacCg69STcOMrREWmfhSwRN6GCs=';
const base = { DNSGATE_RFC2136_HOSTS: '127.0.0.1:5353', DNSGATE_RFC2136_ZONES: 'example.com' };
const load = (env: Record<string, string>) => loadPluginOptions(Rfc2136Options, 'DNSGATE_RFC2136_', env);

function problems(env: Record<string, string>): string {
  try {
    load(env);
  } catch (error) {
    expect(error).toBeInstanceOf(PluginConfigError);
    return (error as PluginConfigError).problems.join('\n');
  }
  throw new Error('expected a configuration error');
}

describe('rfc2136 options from DNSGATE_RFC2136_*', () => {
  it('has the documented defaults', () => {
    const { options, secrets } = load({
      ...base,
      DNSGATE_RFC2136_TSIG_KEYNAME: 'k',
      DNSGATE_RFC2136_TSIG_SECRET: SECRET,
    });
    expect(options).toMatchObject({
      hosts: ['127.0.0.1:5353'],
      zones: ['example.com'],
      tsigAlg: 'hmac-sha256',
      insecure: false,
      minTtl: 0,
      defaultTtl: 300,
      batchSize: 1000,
      loadBalancing: 'failover',
      timeout: 10,
    });
    expect(secrets).toEqual([SECRET]);
  });

  it('reads the secrets from _FILE variables', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rfc2136-opts-'));
    writeFileSync(join(dir, 'secret'), `${SECRET}\n`);
    const { options } = load({
      ...base,
      DNSGATE_RFC2136_TSIG_KEYNAME: 'k',
      DNSGATE_RFC2136_TSIG_SECRET_FILE: join(dir, 'secret'),
    });
    expect(options.tsigSecret).toBe(SECRET);
  });

  it('wants a key or an explicit INSECURE, not neither and not both', () => {
    expect(problems(base)).toMatch(/TSIG_KEYNAME.*or INSECURE=true/);
    expect(
      problems({
        ...base,
        DNSGATE_RFC2136_INSECURE: 'true',
        DNSGATE_RFC2136_TSIG_KEYNAME: 'k',
        DNSGATE_RFC2136_TSIG_SECRET: SECRET,
      }),
    ).toMatch(/do not also set TSIG_KEYNAME/);
    expect(load({ ...base, DNSGATE_RFC2136_INSECURE: 'true' }).options.insecure).toBe(true);
  });

  it('names every bad variable at once and never shows a secret', () => {
    const text = problems({
      DNSGATE_RFC2136_HOSTS: 'not a host:99999',
      DNSGATE_RFC2136_TSIG_KEYNAME: 'k',
      DNSGATE_RFC2136_TSIG_SECRET: 'sec ret!',
      DNSGATE_RFC2136_TSIG_ALG: 'hmac-md5',
      DNSGATE_RFC2136_LOAD_BALANCING: 'nearest',
      DNSGATE_RFC2136_BATCH_SIZE: '0',
      DNSGATE_RFC2136_AXFR_TSIG_KEYNAME: 'x',
    });
    for (const variable of ['HOSTS', 'ZONES', 'TSIG_ALG', 'LOAD_BALANCING', 'BATCH_SIZE', 'AXFR_TSIG'])
      expect(text).toContain(variable);
    expect(text).toMatch(/TSIG_SECRET must be base64/);
    expect(text).not.toContain('sec ret!');
  });

  it('builds a plugin that serves the configured zones and is not ready before start', async () => {
    const { options } = load({
      ...base,
      DNSGATE_RFC2136_ZONES: 'Example.com., myexample.com',
      DNSGATE_RFC2136_INSECURE: 'true',
    });
    const context = createTestPluginContext('rfc2136');
    const plugin = new Rfc2136PluginFactory().create(options, context);
    expect(await plugin.zones()).toEqual(['example.com', 'myexample.com']);
    expect((await plugin.readiness()).ready).toBe(false);
    // AdjustEndpoints runs before start(): the SDK's pipeline over the plugin's checkRecord, no server needed.
    const adjusted = await drivePlugin(plugin).adjustEndpoints([
      { dnsName: 'x.other.org', recordType: 'A', targets: ['192.0.2.1'] },
      { dnsName: 'X.Example.com.', recordType: 'A', targets: ['192.0.2.1'] },
    ]);
    expect(adjusted).toEqual([{ dnsName: 'x.example.com', recordType: 'A', targets: ['192.0.2.1'], recordTTL: 300 }]);
    expect(
      plugin.checkRecord({ dnsName: 'x.other.org', recordType: 'A', targets: ['192.0.2.1'] }, 'example.com', 'desired'),
    ).toEqual({
      ok: false,
      reason: 'outside-zones',
      problem: 'x.other.org is in none of the configured zones',
    });
  });
});
