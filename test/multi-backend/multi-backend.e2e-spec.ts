import { mkdtempSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDnsgate } from '@dnsgate/gateway';
import { FilePluginModule } from '@dnsgate/plugin-file';
import { PowerDnsPluginModule } from '@dnsgate/plugin-powerdns';
import { Rfc2136PluginModule } from '@dnsgate/plugin-rfc2136';
import { ConfigError, type Endpoint } from '@dnsgate/plugin-sdk';
import { digAxfr, startBind, type BindServer } from '../support/bind-server.js';
import { planDifferences } from '../support/external-dns-plan.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { assertNamedCheckzoneDir } from '../support/named-checkzone.js';
import { startPowerDns, type PowerDnsTestServer } from '../support/powerdns-server.js';
import { digShort } from '../support/run-command.js';

/**
 * Four backends in one dnsgate, routed by zone: two PowerDNS servers, a BIND
 * server taking signed updates, and zone files, each a named instance.
 */
describe('several backends in one dnsgate, routed by zone, against the real servers', () => {
  let publicDns: PowerDnsTestServer;
  let labDns: PowerDnsTestServer;
  let bind: BindServer;
  let dir: string;
  let gateway: TestGateway;

  const BIND_ZONES = [{ name: 'corp.lan', updateKeys: ['dnsgate'] }];

  beforeAll(async () => {
    [publicDns, labDns] = await Promise.all([startPowerDns(), startPowerDns()]);
    await publicDns.createZone('example.org.');
    await labDns.createZone('lab.example.org.');
    bind = await startBind({ zones: BIND_ZONES, keys: [{ name: 'dnsgate', algorithm: 'hmac-sha256' }] });
    dir = mkdtempSync(join(tmpdir(), 'dnsgate-multi-'));
    const key = bind.keys.dnsgate!;
    gateway = await startGateway({
      env: {
        DNSGATE_BACKENDS: 'public,lab,corp,home',
        DNSGATE_BACKEND_PUBLIC_PLUGIN: 'powerdns',
        DNSGATE_BACKEND_PUBLIC_ZONES: 'example.org',
        DNSGATE_BACKEND_PUBLIC_POWERDNS_URL: publicDns.url,
        DNSGATE_BACKEND_PUBLIC_POWERDNS_API_KEY: publicDns.apiKey,
        // A zone nested in the public one, on another PowerDNS server.
        DNSGATE_BACKEND_LAB_PLUGIN: 'powerdns',
        DNSGATE_BACKEND_LAB_ZONES: 'lab.example.org',
        DNSGATE_BACKEND_LAB_POWERDNS_URL: labDns.url,
        DNSGATE_BACKEND_LAB_POWERDNS_API_KEY: labDns.apiKey,
        DNSGATE_BACKEND_CORP_PLUGIN: 'rfc2136',
        DNSGATE_BACKEND_CORP_ZONES: 'corp.lan',
        DNSGATE_BACKEND_CORP_RFC2136_HOSTS: bind.address,
        DNSGATE_BACKEND_CORP_RFC2136_TIMEOUT: '2',
        DNSGATE_BACKEND_CORP_RFC2136_TSIG_KEYNAME: key.name,
        DNSGATE_BACKEND_CORP_RFC2136_TSIG_SECRET: key.secret,
        DNSGATE_BACKEND_CORP_RFC2136_TSIG_ALG: key.algorithm,
        DNSGATE_BACKEND_HOME_PLUGIN: 'file',
        DNSGATE_BACKEND_HOME_ZONES: 'home.arpa',
        DNSGATE_BACKEND_HOME_FILE_DIR: dir,
      },
      plugins: [FilePluginModule, PowerDnsPluginModule, Rfc2136PluginModule],
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await Promise.all([publicDns?.stop(), labDns?.stop(), bind?.dispose()]);
    await rm(dir, { recursive: true, force: true });
  });

  const desired: Endpoint[] = [
    { dnsName: 'www.example.org', targets: ['192.0.2.1'], recordType: 'A' },
    { dnsName: 'api.example.org', targets: ['www.example.org'], recordType: 'CNAME' },
    { dnsName: 'db.lab.example.org', targets: ['192.0.2.2'], recordType: 'A', recordTTL: 60 },
    { dnsName: 'intranet.corp.lan', targets: ['10.0.0.1'], recordType: 'A' },
    { dnsName: 'note.corp.lan', targets: ['"corp note"'], recordType: 'TXT' },
    { dnsName: 'nas.home.arpa', targets: ['192.168.1.10'], recordType: 'A' },
  ];

  const readyz = async () => {
    const response = await fetch(`${gateway.healthUrl}/readyz`);
    return {
      status: response.status,
      body: (await response.json()) as { plugins: Array<{ instance: string; ready: boolean; reason?: string }> },
    };
  };

  it('announces the union of the zones from configuration, and is ready with one line per instance', async () => {
    const negotiation = await gateway.webhook('/');
    expect(((await negotiation.json()) as { include: string[] }).include.sort()).toEqual(
      ['corp.lan', 'example.org', 'home.arpa', 'lab.example.org'].sort(),
    );
    const ready = await readyz();
    expect(ready.status).toBe(200);
    expect(ready.body.plugins.map((p) => [p.instance, p.ready])).toEqual([
      ['public', true],
      ['lab', true],
      ['corp', true],
      ['home', true],
    ]);
  });

  it('reconciles across every backend, each record lands where its zone lives, and the second pass finds nothing', async () => {
    const adjusted = await gateway.adjust(desired);
    expect(adjusted).toHaveLength(desired.length);
    const before = await gateway.records();
    expect(planDifferences(adjusted, before)).toHaveLength(desired.length);
    const apply = await gateway.webhook('/records', { body: { create: adjusted } });
    expect(apply.status).toBe(204);

    expect(await digShort('127.0.0.1', publicDns.dnsPort, 'www.example.org', 'A')).toEqual(['192.0.2.1']);
    expect(await digShort('127.0.0.1', labDns.dnsPort, 'db.lab.example.org', 'A')).toEqual(['192.0.2.2']);
    // The nested zone's record is on its own server only.
    expect(await digShort('127.0.0.1', publicDns.dnsPort, 'db.lab.example.org', 'A')).toEqual([]);
    const corp = await digAxfr(bind, 'corp.lan', bind.keys.dnsgate);
    expect(corp).toContain('intranet.corp.lan. 300 IN A 10.0.0.1');
    expect(readFileSync(join(dir, 'home.arpa.zone'), 'utf8')).toMatch(/^nas\t300\tIN\tA\t192\.168\.1\.10$/m);
    await assertNamedCheckzoneDir(dir);

    const after = await gateway.records();
    const secondPass = await gateway.adjust(desired);
    expect(planDifferences(secondPass, after)).toEqual([]);
    const metrics = await (await fetch(`${gateway.healthUrl}/metrics`)).text();
    for (const [plugin, instance] of [
      ['powerdns', 'public'],
      ['powerdns', 'lab'],
      ['rfc2136', 'corp'],
      ['file', 'home'],
    ]) {
      expect(metrics).toMatch(
        new RegExp(
          `dnsgate_plugin_changes_applied_total\\{plugin="${plugin}",instance="${instance}",action="create"\\} [1-9]`,
        ),
      );
    }
  });

  it('with BIND stopped, the other backends still converge, the soft error and /readyz name it, and it catches up once back', async () => {
    await bind.stop();
    const more: Endpoint[] = [
      { dnsName: 'more.example.org', targets: ['192.0.2.11'], recordType: 'A' },
      { dnsName: 'more.lab.example.org', targets: ['192.0.2.12'], recordType: 'A' },
      { dnsName: 'more.corp.lan', targets: ['10.0.0.11'], recordType: 'A' },
      { dnsName: 'more.home.arpa', targets: ['192.168.1.11'], recordType: 'A' },
    ];
    const adjusted = await gateway.adjust(more);
    const response = await gateway.webhook('/records', { body: { create: adjusted } });
    expect(response.status).toBe(503);
    const body = (await response.json()) as {
      message: string;
      applied: number;
      changes: Array<{ dnsName: string; instance: string; reason: string }>;
    };
    expect(body.applied).toBe(3);
    expect(body.changes.map((c) => [c.dnsName, c.instance, c.reason])).toEqual([
      ['more.corp.lan', 'corp', 'unavailable'],
    ]);
    expect(body.message).toMatch(/on backend "corp"/);
    // A read would be partial: it fails whole, naming the backend, so ExternalDNS plans no deletes.
    const read = await gateway.webhook('/records');
    expect(read.status).toBeGreaterThanOrEqual(500);
    expect(read.status).toBeLessThanOrEqual(510);
    expect(((await read.json()) as { message: string }).message).toMatch(/backend "corp"/);
    expect(await digShort('127.0.0.1', publicDns.dnsPort, 'more.example.org', 'A')).toEqual(['192.0.2.11']);
    expect(readFileSync(join(dir, 'home.arpa.zone'), 'utf8')).toContain('192.168.1.11');

    const notReady = await readyz();
    expect(notReady.status).toBe(503);
    const corpLine = notReady.body.plugins.find((p) => p.instance === 'corp')!;
    expect(corpLine.ready).toBe(false);
    expect(corpLine.reason).toMatch(/no server could be reached|connect/);
    expect(notReady.body.plugins.filter((p) => !p.ready).map((p) => p.instance)).toEqual(['corp']);

    // BIND comes back (an empty corp.lan, as after a rebuild): the next reconcile writes what is missing.
    bind = await startBind({ zones: BIND_ZONES, port: bind.port, reuseKeys: [bind.keys.dnsgate!] });
    const deadline = Date.now() + 15_000;
    while ((await readyz()).status !== 200) {
      if (Date.now() > deadline)
        throw new Error(`dnsgate did not become ready again: ${JSON.stringify(await readyz())}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const wanted = await gateway.adjust([...desired, ...more]);
    const current = await gateway.records();
    const missing = wanted.filter(
      (w) => !current.some((c) => c.dnsName === w.dnsName && c.recordType === w.recordType),
    );
    expect(missing.map((e) => e.dnsName).sort()).toEqual(['intranet.corp.lan', 'more.corp.lan', 'note.corp.lan']);
    expect((await gateway.webhook('/records', { body: { create: missing } })).status).toBe(204);
    expect(planDifferences(await gateway.adjust([...desired, ...more]), await gateway.records())).toEqual([]);
  }, 60_000);
});

describe('boot errors of a several-backend configuration', () => {
  const boot = (env: Record<string, string>) =>
    startDnsgate({
      env: { DNSGATE_WEBHOOK_PORT: '0', DNSGATE_HEALTH_PORT: '0', DNSGATE_HEALTH_HOST: '127.0.0.1', ...env },
      plugins: [FilePluginModule],
    }).then(
      async (running) => {
        await running.close();
        throw new Error('dnsgate booted');
      },
      (error: unknown) => error,
    );

  it('names the variable of an instance without a plugin, and of a zone owned twice', async () => {
    const error = (await boot({
      DNSGATE_BACKENDS: 'a,b',
      DNSGATE_BACKEND_A_ZONES: 'example.org',
      DNSGATE_BACKEND_B_PLUGIN: 'file',
      DNSGATE_BACKEND_B_ZONES: 'example.org',
    })) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^DNSGATE_BACKEND_A_PLUGIN: is required/),
        expect.stringMatching(/^DNSGATE_BACKEND_B_ZONES: zone example\.org is already owned by backend "a"/),
      ]),
    );
  });

  it('names an option given for an instance that is not listed, and a plugin that does not exist', async () => {
    const stray = (await boot({
      DNSGATE_BACKENDS: 'a',
      DNSGATE_BACKEND_A_PLUGIN: 'file',
      DNSGATE_BACKEND_TYPO_FILE_DIR: '/tmp/x',
    })) as ConfigError;
    expect(stray.problems).toEqual([
      expect.stringMatching(/^DNSGATE_BACKEND_TYPO_FILE_DIR: no instance of DNSGATE_BACKENDS/),
    ]);
    const missing = (await boot({ DNSGATE_BACKENDS: 'a', DNSGATE_BACKEND_A_PLUGIN: 'nosuch' })) as ConfigError;
    expect(missing.message).toMatch(/DNSGATE_BACKEND_A_PLUGIN: no plugin named "nosuch"/);
  });

  it("names an instance's plugin option by its instance variable", async () => {
    const error = (await boot({
      DNSGATE_BACKENDS: 'a',
      DNSGATE_BACKEND_A_PLUGIN: 'file',
      DNSGATE_BACKEND_A_FILE_DEFAULT_TTL: 'soon',
    })) as ConfigError;
    expect(error.message).toMatch(/DNSGATE_BACKEND_A_FILE_DEFAULT_TTL: must be a number/);
  });
});
