import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { BackendError, PluginConfigError, isDnsgateError, type DnsgateError } from '@dnsgate/plugin-sdk';
import { digShort } from '../support/run-command.js';
import { startPowerDns, type PowerDnsTestServer } from '../support/powerdns-server.js';
import { TlsProxy, createTestPki, type TestPki } from '../support/tls-proxy.js';
import { changes, createPowerDnsPlugin, find, metricValue, type PluginUnderTest } from './powerdns-test-helpers.js';

/**
 * TLS end to end: PowerDNS 4.7's webserver speaks plain http, so a real
 * TLS-terminating reverse proxy (node:https on 127.0.0.1) sits in front of a
 * real pdns_server, with certificates made by the real openssl CLI.
 */
describe('powerdns plugin over TLS (a TLS proxy in front of a real PowerDNS)', () => {
  jest.setTimeout(60_000);
  const apiKey = 'tls-test-api-key-that-must-never-leak';
  let server: PowerDnsTestServer;
  let pki: TestPki;
  let proxy: TlsProxy;
  let mutualProxy: TlsProxy;
  const started: PluginUnderTest[] = [];

  beforeAll(async () => {
    pki = await createTestPki();
    server = await startPowerDns({ apiKey });
    await server.createZone('tls.test');
    const [cert, key, ca] = await Promise.all([
      readFile(pki.serverCertFile),
      readFile(pki.serverKeyFile),
      readFile(pki.caCertFile),
    ]);
    proxy = await TlsProxy.start({ target: server.url, cert, key });
    mutualProxy = await TlsProxy.start({ target: server.url, cert, key, ca, requireClientCert: true });
  });

  afterEach(async () => {
    for (const under of started.splice(0)) await under.plugin.stop?.();
  });

  afterAll(async () => {
    await proxy?.stop();
    await mutualProxy?.stop();
    await server?.stop();
    await pki?.remove();
  });

  const plugin = (env: Record<string, string>): PluginUnderTest => {
    const under = createPowerDnsPlugin(server, { DNSGATE_POWERDNS_TIMEOUT: '3s', ...env });
    started.push(under);
    return under;
  };

  async function failure(promise: Promise<unknown>): Promise<DnsgateError> {
    try {
      await promise;
    } catch (error) {
      if (isDnsgateError(error)) return error;
      throw error;
    }
    throw new Error('expected a failure');
  }

  /** Every message a plugin produced: logs, the given errors, readiness reasons, metrics. */
  async function everything(under: PluginUnderTest, extra: string[]): Promise<string> {
    return [...under.context.lines.map((l) => l.message), ...extra, await under.context.registry.metrics()].join('\n');
  }

  async function expectNoSecrets(text: string): Promise<void> {
    expect(text).not.toContain(apiKey);
    expect(text).not.toMatch(/BEGIN|PRIVATE KEY/);
    const keyBody = (await readFile(pki.clientKeyFile, 'utf8')).split('\n')[1]!;
    expect(keyBody.length).toBeGreaterThan(20);
    expect(text).not.toContain(keyBody);
  }

  it('reads and writes through https with CA_FILE', async () => {
    const before = proxy.forwarded;
    const under = plugin({ DNSGATE_POWERDNS_URL: proxy.url, DNSGATE_POWERDNS_CA_FILE: pki.caCertFile });
    await under.plugin.start!();
    await expect(under.plugin.readiness()).resolves.toEqual({ ready: true });
    await under.driver.applyChanges(
      changes({
        create: [
          { dnsName: 'www.tls.test', recordType: 'A', targets: ['192.0.2.10', '192.0.2.11'], recordTTL: 120 },
          { dnsName: 'www.tls.test', recordType: 'TXT', targets: ['"heritage=external-dns,owner=tls"'] },
        ],
      }),
    );
    const records = await under.driver.records({ zones: ['tls.test'] });
    expect(find(records, 'www.tls.test', 'A')).toEqual({
      dnsName: 'www.tls.test',
      recordType: 'A',
      targets: ['192.0.2.10', '192.0.2.11'],
      recordTTL: 120,
    });
    expect(find(records, 'www.tls.test', 'TXT')?.targets).toEqual(['"heritage=external-dns,owner=tls"']);
    expect(await digShort('127.0.0.1', server.dnsPort, 'www.tls.test', 'A')).toEqual(['192.0.2.10', '192.0.2.11']);

    await under.driver.applyChanges(
      changes({
        updateOld: [find(records, 'www.tls.test', 'A')!],
        updateNew: [{ dnsName: 'www.tls.test', recordType: 'A', targets: ['192.0.2.12'], recordTTL: 120 }],
      }),
    );
    expect(await digShort('127.0.0.1', server.dnsPort, 'www.tls.test', 'A')).toEqual(['192.0.2.12']);
    // It all went through the proxy: server, zone list, zone reads, PATCHes.
    expect(proxy.forwarded - before).toBeGreaterThanOrEqual(7);
    expect(proxy.tlsErrors).toEqual([]);
    expect(await metricValue(under.context, 'dnsgate_powerdns_api_requests_total', { code: '204' })).toBe(2);
  });

  it('refuses a server certificate it cannot verify with a clear TLS error, a 502, and no retries', async () => {
    const forwarded = proxy.forwarded;
    const cases: Array<Record<string, string>> = [
      // No CA: the system store does not know the test CA.
      { DNSGATE_POWERDNS_URL: proxy.url },
      // The wrong CA.
      { DNSGATE_POWERDNS_URL: proxy.url, DNSGATE_POWERDNS_CA_FILE: pki.otherCaCertFile },
    ];
    for (const env of cases) {
      const under = plugin(env);
      const began = Date.now();
      const start = await failure(under.plugin.start!());
      const read = await failure(under.driver.records({ zones: ['tls.test'] }));
      const write = await failure(
        under.driver.applyChanges(
          changes({ create: [{ dnsName: 'no.tls.test', recordType: 'A', targets: ['192.0.2.1'] }] }),
        ),
      );
      // A certificate problem does not go away by retrying: it fails fast, well within TIMEOUT.
      expect(Date.now() - began).toBeLessThan(2500);
      for (const error of [start, read, write]) {
        expect(error).toBeInstanceOf(BackendError);
        expect(error.statusCode).toBe(502);
        expect(error.message).toMatch(/TLS/);
        expect(error.message).toMatch(/certificate of PowerDNS at https:\/\/127\.0\.0\.1:\d+ is not trusted/);
        expect(error.message).toMatch(/DNSGATE_POWERDNS_CA_FILE/);
      }
      const readiness = await under.plugin.readiness();
      expect(readiness.ready).toBe(false);
      expect(readiness.ready === false && readiness.reason).toMatch(/TLS.*not trusted/);
      expect(await metricValue(under.context, 'dnsgate_powerdns_api_retries_total')).toBe(0);
      expect(await metricValue(under.context, 'dnsgate_powerdns_api_requests_total', { code: 'tls' })).toBe(4);
      await expectNoSecrets(
        await everything(under, [start.message, read.message, write.message, readiness.ready ? '' : readiness.reason]),
      );
    }
    expect(proxy.forwarded).toBe(forwarded);
    expect(proxy.tlsErrors.length).toBeGreaterThanOrEqual(1);
    expect(await server.rrset('tls.test', 'no.tls.test', 'A')).toBeUndefined();
  });

  it('works without the CA when SKIP_TLS_VERIFY=true, and says verification is off', async () => {
    const under = plugin({ DNSGATE_POWERDNS_URL: proxy.url, DNSGATE_POWERDNS_SKIP_TLS_VERIFY: 'true' });
    await under.plugin.start!();
    await under.driver.applyChanges(
      changes({ create: [{ dnsName: 'skip.tls.test', recordType: 'A', targets: ['192.0.2.20'] }] }),
    );
    expect(find(await under.driver.records({ zones: ['tls.test'] }), 'skip.tls.test', 'A')?.targets).toEqual([
      '192.0.2.20',
    ]);
    expect(await digShort('127.0.0.1', server.dnsPort, 'skip.tls.test', 'A')).toEqual(['192.0.2.20']);
    expect(
      under.context.lines.some((l) => l.level === 'warn' && /TLS certificate verification .* is off/.test(l.message)),
    ).toBe(true);
  });

  it('is refused by a proxy that requires a client certificate unless CLIENT_CERT_FILE/KEY are set', async () => {
    const without = plugin({ DNSGATE_POWERDNS_URL: mutualProxy.url, DNSGATE_POWERDNS_CA_FILE: pki.caCertFile });
    const start = await failure(without.plugin.start!());
    const read = await failure(without.driver.records({ zones: ['tls.test'] }));
    for (const error of [start, read]) {
      expect(error.statusCode).toBeGreaterThanOrEqual(500);
      expect(error.statusCode).toBeLessThan(600);
      expect(error.message).toMatch(/TLS/);
      expect(error.message).toMatch(/client certificate/);
      expect(error.message).toMatch(/DNSGATE_POWERDNS_CLIENT_CERT_FILE/);
    }
    const readiness = await without.plugin.readiness();
    expect(readiness.ready === false && readiness.reason).toMatch(/client certificate/);
    expect(mutualProxy.forwarded).toBe(0);
    expect(mutualProxy.tlsErrors.length).toBeGreaterThanOrEqual(1);
    await expectNoSecrets(await everything(without, [start.message, read.message]));

    const withCert = plugin({
      DNSGATE_POWERDNS_URL: mutualProxy.url,
      DNSGATE_POWERDNS_CA_FILE: pki.caCertFile,
      DNSGATE_POWERDNS_CLIENT_CERT_FILE: pki.clientCertFile,
      DNSGATE_POWERDNS_CLIENT_KEY_FILE: pki.clientKeyFile,
    });
    await withCert.plugin.start!();
    await expect(withCert.plugin.readiness()).resolves.toEqual({ ready: true });
    await withCert.driver.applyChanges(
      changes({ create: [{ dnsName: 'mtls.tls.test', recordType: 'A', targets: ['192.0.2.30'] }] }),
    );
    expect(find(await withCert.driver.records({ zones: ['tls.test'] }), 'mtls.tls.test', 'A')?.targets).toEqual([
      '192.0.2.30',
    ]);
    expect(await digShort('127.0.0.1', server.dnsPort, 'mtls.tls.test', 'A')).toEqual(['192.0.2.30']);
    expect(mutualProxy.forwarded).toBeGreaterThanOrEqual(5);
    expect(new Set(mutualProxy.clientSubjects)).toEqual(new Set(['dnsgate-client']));
    await expectNoSecrets(await everything(withCert, []));
  });

  it('refuses to boot on TLS files that cannot work, naming the variables and no key material', async () => {
    const garbage = join(pki.dir, 'garbage.pem');
    await writeFile(garbage, 'this is not a certificate\n');
    const boot = (env: Record<string, string>) => () =>
      createPowerDnsPlugin(server, { DNSGATE_POWERDNS_URL: proxy.url, ...env });
    const messageOf = (fn: () => unknown): string => {
      try {
        fn();
      } catch (error) {
        expect(error).toBeInstanceOf(PluginConfigError);
        return (error as Error).message;
      }
      throw new Error('expected a boot error');
    };
    const badCa = messageOf(boot({ DNSGATE_POWERDNS_CA_FILE: garbage }));
    expect(badCa).toMatch(/DNSGATE_POWERDNS_CA_FILE: .*no PEM certificate/);
    const mismatch = messageOf(
      boot({
        DNSGATE_POWERDNS_CLIENT_CERT_FILE: pki.clientCertFile,
        DNSGATE_POWERDNS_CLIENT_KEY_FILE: pki.serverKeyFile,
      }),
    );
    expect(mismatch).toMatch(/DNSGATE_POWERDNS_CLIENT_CERT_FILE and DNSGATE_POWERDNS_CLIENT_KEY_FILE/);
    expect(mismatch).toMatch(/do not match|not usable/);
    const badKey = messageOf(
      boot({ DNSGATE_POWERDNS_CLIENT_CERT_FILE: pki.clientCertFile, DNSGATE_POWERDNS_CLIENT_KEY_FILE: garbage }),
    );
    expect(badKey).toMatch(/DNSGATE_POWERDNS_CLIENT_KEY_FILE|CLIENT_CERT_FILE and/);
    const serverKey = await readFile(pki.serverKeyFile, 'utf8');
    for (const message of [badCa, mismatch, badKey]) {
      expect(message).not.toMatch(/BEGIN|PRIVATE KEY/);
      expect(message).not.toContain(serverKey.split('\n')[1]!);
    }
  });
});
