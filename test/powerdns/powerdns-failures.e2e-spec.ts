import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import {
  BackendError,
  BackendTimeoutError,
  BackendUnavailableError,
  BatchIncompleteError,
  PluginConfigError,
  isDnsgateError,
  loadPluginOptions,
} from '@dnsgate/plugin-sdk';
import { PowerDnsOptions } from '@dnsgate/plugin-powerdns';
import { digShort } from '../support/run-command.js';
import { startPowerDns, type PowerDnsTestServer } from '../support/powerdns-server.js';
import {
  changes,
  createPowerDnsPlugin,
  metricValue,
  notLanded,
  type PluginUnderTest,
} from './powerdns-test-helpers.js';

async function statusOf(promise: Promise<unknown>): Promise<{ status: number; error: Error }> {
  try {
    await promise;
  } catch (error) {
    if (isDnsgateError(error)) return { status: error.statusCode, error };
    throw error;
  }
  throw new Error('expected a failure');
}

describe('powerdns plugin against a real PowerDNS (failures)', () => {
  jest.setTimeout(30_000);
  let server: PowerDnsTestServer;
  const started: PluginUnderTest[] = [];

  beforeAll(async () => {
    server = await startPowerDns({ apiKey: 'correct-horse-battery-staple-42' });
    await server.createZone('example.com');
  });

  afterEach(async () => {
    server.resume();
    if (!server.pid) await server.launch();
    for (const under of started.splice(0)) await under.plugin.stop?.();
  });

  afterAll(async () => {
    await server?.stop();
  });

  const plugin = (env: Record<string, string> = {}): PluginUnderTest => {
    const under = createPowerDnsPlugin(server, env);
    started.push(under);
    return under;
  };

  it('answers 5xx and turns not ready with the reason while PowerDNS is stopped, and recovers', async () => {
    const { plugin: p, driver: d } = plugin({ DNSGATE_POWERDNS_TIMEOUT: '1s' });
    await p.start!();
    await server.halt();
    const read = await statusOf(d.records({ zones: ['example.com'] }));
    expect(read.status).toBe(503);
    expect(read.error).toBeInstanceOf(BackendUnavailableError);
    expect(read.error.message).toMatch(/unreachable.*ECONNREFUSED/);
    const write = await statusOf(
      d.applyChanges(changes({ create: [{ dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'] }] })),
    );
    expect(write.status).toBeGreaterThanOrEqual(500);
    expect(write.status).toBeLessThanOrEqual(510);
    const readiness = await p.readiness();
    expect(readiness.ready).toBe(false);
    expect(readiness.ready === false && readiness.reason).toMatch(
      /PowerDNS at http:\/\/127\.0\.0\.1:\d+ is unreachable/,
    );
    // start() fails the same way, so the gateway keeps retrying it.
    await expect(plugin({ DNSGATE_POWERDNS_TIMEOUT: '1s' }).plugin.start!()).rejects.toBeInstanceOf(
      BackendUnavailableError,
    );

    await server.launch();
    await expect(p.readiness()).resolves.toEqual({ ready: true });
    await d.applyChanges(
      changes({ create: [{ dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'], recordTTL: 300 }] }),
    );
    expect(await digShort('127.0.0.1', server.dnsPort, 'a.example.com', 'A')).toEqual(['192.0.2.1']);
  });

  it('says the API key was rejected, answers 502, and never shows the key', async () => {
    const wrongKey = 'wrong-key-value-that-must-not-leak';
    const under = plugin({ DNSGATE_POWERDNS_API_KEY: wrongKey });
    const start = await statusOf(under.plugin.start!());
    expect(start.status).toBe(502);
    expect(start.error).toBeInstanceOf(BackendError);
    const read = await statusOf(under.driver.records({ zones: ['example.com'] }));
    expect(read.status).toBe(502);
    const readiness = await under.plugin.readiness();
    expect(readiness.ready === false && readiness.reason).toMatch(/rejected the API key/);
    const rejected = under.context.lines.filter(
      (l) => l.level === 'error' && /rejected the API key \(HTTP 401/.test(l.message),
    );
    expect(rejected.length).toBeGreaterThanOrEqual(1);
    const everything = [
      ...under.context.lines.map((l) => l.message),
      start.error.message,
      read.error.message,
      readiness.ready ? '' : readiness.reason,
      await under.context.registry.metrics(),
    ].join('\n');
    expect(everything).not.toContain(wrongKey);
    expect(everything).not.toContain(server.apiKey);
    expect(
      await metricValue(under.context, 'dnsgate_powerdns_api_requests_total', { code: '401' }),
    ).toBeGreaterThanOrEqual(3);
  });

  it('gives up on a stalled server within TIMEOUT with a 504, and is not ready meanwhile', async () => {
    const { plugin: p, driver: d, context } = plugin({ DNSGATE_POWERDNS_TIMEOUT: '600ms' });
    await p.start!();
    server.stall();
    const began = Date.now();
    const read = await statusOf(d.records({ zones: ['example.com'] }));
    const took = Date.now() - began;
    expect(read.status).toBe(504);
    expect(read.error).toBeInstanceOf(BackendTimeoutError);
    expect(read.error.message).toMatch(/did not answer GET .* within \d+ ms/);
    expect(took).toBeGreaterThanOrEqual(550);
    expect(took).toBeLessThan(3000);
    const write = await statusOf(
      d.applyChanges(changes({ create: [{ dnsName: 'slow.example.com', recordType: 'A', targets: ['192.0.2.9'] }] })),
    );
    expect(write.status).toBe(504);
    // A write reads the zones it checks the batch against first: it gives up there, before any PATCH.
    expect(write.error.message).toMatch(
      /create A slow\.example\.com: timeout: reading zone example\.com to check the batch: .*did not answer GET/,
    );
    expect(await metricValue(context, 'dnsgate_powerdns_api_requests_total', { method: 'PATCH' })).toBe(0);
    const readiness = await p.readiness();
    expect(readiness.ready === false && readiness.reason).toMatch(/did not answer/);
    server.resume();
    await expect(p.readiness()).resolves.toEqual({ ready: true });
  });

  it("names the change PowerDNS refuses (422) with its message, and lands the rest of the zone's PATCH", async () => {
    const under = plugin();
    await under.plugin.start!();
    await server.patchZone('example.com', [
      { name: 'taken.example.com.', type: 'A', ttl: 300, records: [{ content: '192.0.2.1' }] },
    ]);
    const patches = () => metricValue(under.context, 'dnsgate_powerdns_api_requests_total', { method: 'PATCH' });
    const before = await patches();
    // A CNAME beside the A record: the conflict check passes (no CNAME there), PowerDNS refuses the PATCH.
    const report = await under.driver.applyReport(
      changes({
        create: [
          { dnsName: 'fine.example.com', recordType: 'A', targets: ['192.0.2.2'] },
          { dnsName: 'taken.example.com', recordType: 'CNAME', targets: ['elsewhere.example.net'] },
        ],
      }),
    );
    expect(report.statusCode()).toBe(500);
    expect(notLanded(report)).toEqual(['create CNAME taken.example.com: refused']);
    expect(report.notApplied[0]!.problem).toMatch(
      /PowerDNS refused the changes to zone example\.com \(422\): .*taken\.example\.com/,
    );
    expect(report.applied.map((c) => c.desired?.dnsName)).toEqual(['fine.example.com']);
    // The whole PATCH, refused; then the rrset PowerDNS named apart from the rest: two more.
    expect((await patches()) - before).toBe(3);
    expect((await server.rrset('example.com', 'fine.example.com', 'A'))?.records).toEqual([
      { content: '192.0.2.2', disabled: false },
    ]);
    expect(await server.rrset('example.com', 'taken.example.com', 'CNAME')).toBeUndefined();
    expect(await digShort('127.0.0.1', server.dnsPort, 'taken.example.com', 'A')).toEqual(['192.0.2.1']);
  });

  it('finds each of several changes PowerDNS refuses one at a time, and lands all the others', async () => {
    const under = plugin();
    await under.plugin.start!();
    await server.patchZone('example.com', [
      { name: 'busy-1.example.com.', type: 'A', ttl: 300, records: [{ content: '192.0.2.1' }] },
      { name: 'busy-2.example.com.', type: 'TXT', ttl: 300, records: [{ content: '"x"' }] },
    ]);
    const a = (name: string, ip: string) => ({ dnsName: `${name}.example.com`, recordType: 'A', targets: [ip] });
    const cname = (name: string) => ({
      dnsName: `${name}.example.com`,
      recordType: 'CNAME',
      targets: ['t.example.net'],
    });
    const report = await under.driver.applyReport(
      changes({
        create: [
          a('ok-1', '192.0.2.11'),
          cname('busy-1'),
          a('ok-2', '192.0.2.12'),
          a('ok-3', '192.0.2.13'),
          cname('busy-2'),
          a('ok-4', '192.0.2.14'),
        ],
      }),
    );
    expect(notLanded(report).sort()).toEqual([
      'create CNAME busy-1.example.com: refused',
      'create CNAME busy-2.example.com: refused',
    ]);
    expect(report.applied.map((c) => c.desired!.dnsName).sort()).toEqual([
      'ok-1.example.com',
      'ok-2.example.com',
      'ok-3.example.com',
      'ok-4.example.com',
    ]);
    for (const n of [1, 2, 3, 4]) {
      expect(await digShort('127.0.0.1', server.dnsPort, `ok-${n}.example.com`, 'A')).toEqual([`192.0.2.1${n}`]);
    }
    expect(await server.rrset('example.com', 'busy-1.example.com', 'CNAME')).toBeUndefined();
    expect(await server.rrset('example.com', 'busy-2.example.com', 'CNAME')).toBeUndefined();
  });

  it('refuses each change to an rrset named twice in a batch, before sending it', async () => {
    const under = plugin();
    await under.plugin.start!();
    const before = await metricValue(under.context, 'dnsgate_powerdns_api_requests_total', { method: 'PATCH' });
    const result = await statusOf(
      under.driver.applyChanges(
        changes({
          create: [{ dnsName: 'twice.example.com', recordType: 'A', targets: ['192.0.2.1'] }],
          delete: [{ dnsName: 'Twice.example.com.', recordType: 'A', targets: ['192.0.2.1'] }],
        }),
      ),
    );
    expect(result.status).toBe(500);
    expect(result.error).toBeInstanceOf(BatchIncompleteError);
    expect(notLanded((result.error as BatchIncompleteError).report)).toEqual([
      'delete A twice.example.com: duplicate',
      'create A twice.example.com: duplicate',
    ]);
    expect(result.error.message).toMatch(/A twice\.example\.com appears 2 times in one batch/);
    expect(await metricValue(under.context, 'dnsgate_powerdns_api_requests_total', { method: 'PATCH' })).toBe(before);
  });

  it('refuses each change that does not fit the zone as Records reports it, before the PATCH of the rest', async () => {
    const under = plugin();
    await under.plugin.start!();
    await server.patchZone('example.com', [
      { name: 'exists.example.com.', type: 'A', ttl: 300, records: [{ content: '192.0.2.1' }] },
      // Not reported by Records (disabled only), so ExternalDNS may create it: that must not be refused.
      { name: 'dormant.example.com.', type: 'A', ttl: 300, records: [{ content: '192.0.2.2', disabled: true }] },
    ]);
    const patches = () => metricValue(under.context, 'dnsgate_powerdns_api_requests_total', { method: 'PATCH' });
    const before = await patches();
    const result = await statusOf(
      under.driver.applyChanges(
        changes({
          create: [
            { dnsName: 'fresh.example.com', recordType: 'A', targets: ['192.0.2.3'] },
            { dnsName: 'exists.example.com', recordType: 'A', targets: ['192.0.2.4'] },
          ],
          delete: [{ dnsName: 'never.example.com', recordType: 'TXT', targets: ['"x"'] }],
        }),
      ),
    );
    expect(result.status).toBe(500);
    expect(result.error).toBeInstanceOf(BatchIncompleteError);
    expect(notLanded((result.error as BatchIncompleteError).report)).toEqual([
      'delete TXT never.example.com: conflict',
      'create A exists.example.com: conflict',
    ]);
    expect(result.error.message).toMatch(/^2 of 3 changes did not land \(1 applied\)/);
    expect(result.error.message).toMatch(/cannot create A exists\.example\.com: it already exists/);
    expect(result.error.message).toMatch(/cannot delete TXT never\.example\.com: it does not exist/);
    // One PATCH, with the fresh record only.
    expect(await patches()).toBe(before + 1);
    expect((await server.rrset('example.com', 'fresh.example.com', 'A'))?.records).toEqual([
      { content: '192.0.2.3', disabled: false },
    ]);
    expect((await server.rrset('example.com', 'exists.example.com', 'A'))?.records).toEqual([
      { content: '192.0.2.1', disabled: false },
    ]);

    await under.driver.applyChanges(
      changes({ create: [{ dnsName: 'dormant.example.com', recordType: 'A', targets: ['192.0.2.5'] }] }),
    );
    expect(await digShort('127.0.0.1', server.dnsPort, 'dormant.example.com', 'A')).toEqual(['192.0.2.5']);
  });

  it('keeps the old rrset of an update that renames it or whose new side PowerDNS cannot hold', async () => {
    const under = plugin();
    await under.plugin.start!();
    await server.patchZone('example.com', [
      { name: 'keep.example.com.', type: 'A', ttl: 300, records: [{ content: '192.0.2.1' }] },
    ]);
    const [current] = (await under.driver.records({ zones: ['example.com'] })).filter(
      (e) => e.dnsName === 'keep.example.com',
    );
    const patches = () => metricValue(under.context, 'dnsgate_powerdns_api_requests_total', { method: 'PATCH' });
    const before = await patches();
    const report = await under.driver.applyReport(
      changes({
        updateOld: [current!, current!],
        updateNew: [
          { ...current!, dnsName: 'renamed.example.com' },
          { ...current!, targets: ['999.1.1.1'] },
        ],
      }),
    );
    expect(notLanded(report)).toEqual(['update A renamed.example.com: invalid', 'update A keep.example.com: invalid']);
    expect(report.notApplied[0]!.problem).toMatch(/pairs A keep\.example\.com with another record set/);
    expect(report.notApplied[1]!.problem).toMatch(/no target PowerDNS can hold: .*not an IPv4 address/);
    expect(await patches()).toBe(before);
    expect((await server.rrset('example.com', 'keep.example.com', 'A'))?.records).toEqual([
      { content: '192.0.2.1', disabled: false },
    ]);
    expect(await server.rrset('example.com', 'renamed.example.com', 'A')).toBeUndefined();
  });

  it('reports a configured zone that does not exist instead of creating it, unless CREATE_ZONES is on', async () => {
    const under = plugin({ DNSGATE_POWERDNS_ZONES: 'example.com,missing.test' });
    await under.plugin.start!();
    expect(await under.plugin.zones()).toEqual(['example.com', 'missing.test']);
    expect(
      under.context.lines.some(
        (l) => l.level === 'warn' && l.message.includes('zone missing.test') && l.message.includes('not created'),
      ),
    ).toBe(true);
    expect((await server.api('GET', '/zones/missing.test.')).status).toBe(404);
    expect(await metricValue(under.context, 'dnsgate_powerdns_zones_missing')).toBe(1);
    // Records of the missing zone: none, with a warning, not an error.
    await expect(under.driver.records({ zones: ['missing.test'] })).resolves.toEqual([]);
    // A write to it fails softly.
    const write = await statusOf(
      under.driver.applyChanges(
        changes({ create: [{ dnsName: 'a.missing.test', recordType: 'A', targets: ['192.0.2.1'] }] }),
      ),
    );
    expect(write.status).toBe(502);

    const creating = plugin({
      DNSGATE_POWERDNS_ZONES: 'example.com,created.test',
      DNSGATE_POWERDNS_CREATE_ZONES: 'true',
      DNSGATE_POWERDNS_ZONE_NAMESERVERS: 'ns1.example.net',
    });
    await creating.plugin.start!();
    expect((await server.api('GET', '/zones/created.test.')).status).toBe(200);
    await creating.driver.applyChanges(
      changes({ create: [{ dnsName: 'www.created.test', recordType: 'A', targets: ['192.0.2.77'] }] }),
    );
    expect(await digShort('127.0.0.1', server.dnsPort, 'www.created.test', 'A')).toEqual(['192.0.2.77']);
  });

  it('refuses to boot on missing or invalid options, naming the variable and never the key', () => {
    const load = (env: Record<string, string>) => () => loadPluginOptions(PowerDnsOptions, 'DNSGATE_POWERDNS_', env);
    expect(load({})).toThrow(/DNSGATE_POWERDNS_API_KEY/);
    expect(load({})).toThrow(PluginConfigError);
    expect(load({ DNSGATE_POWERDNS_API_KEY: 'k', DNSGATE_POWERDNS_URL: 'ftp://x' })).toThrow(/DNSGATE_POWERDNS_URL/);
    expect(load({ DNSGATE_POWERDNS_API_KEY: 'k', DNSGATE_POWERDNS_TIMEOUT: 'soon' })).toThrow(
      /DNSGATE_POWERDNS_TIMEOUT/,
    );
    expect(load({ DNSGATE_POWERDNS_API_KEY: 'k', DNSGATE_POWERDNS_DEFAULT_TTL: '0' })).toThrow(
      /DNSGATE_POWERDNS_DEFAULT_TTL/,
    );
    expect(load({ DNSGATE_POWERDNS_API_KEY: 'k', DNSGATE_POWERDNS_ZONES: 'ok.test,bad zone!' })).toThrow(
      /DNSGATE_POWERDNS_ZONES/,
    );
    expect(load({ DNSGATE_POWERDNS_API_KEY: 'k', DNSGATE_POWERDNS_ZONE_READ: 'xml' })).toThrow(
      /DNSGATE_POWERDNS_ZONE_READ.*must be export or json/,
    );
    expect(load({ DNSGATE_POWERDNS_API_KEY: 'k', DNSGATE_POWERDNS_ZONE_READ: 'json' })).not.toThrow();
    const tls = () =>
      createPowerDnsPlugin(server, {
        DNSGATE_POWERDNS_URL: 'https://127.0.0.1:1',
        DNSGATE_POWERDNS_API_KEY: 'secret-in-config',
        DNSGATE_POWERDNS_CA_FILE: '/nonexistent/ca.pem',
        DNSGATE_POWERDNS_CLIENT_CERT_FILE: '/nonexistent/cert.pem',
      });
    expect(tls).toThrow(/DNSGATE_POWERDNS_CA_FILE: cannot read \/nonexistent\/ca\.pem \(ENOENT\)/);
    expect(tls).toThrow(/CLIENT_CERT_FILE and DNSGATE_POWERDNS_CLIENT_KEY_FILE: set both or neither/);
    try {
      tls();
    } catch (error) {
      expect((error as Error).message).not.toContain('secret-in-config');
    }
  });
});
