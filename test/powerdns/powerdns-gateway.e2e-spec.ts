import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { PowerDnsPluginModule } from '@dnsgate/plugin-powerdns';
import { WEBHOOK_MEDIA_TYPE, type Endpoint } from '@dnsgate/plugin-sdk';
import { planDifferences, registryRecords } from '../support/external-dns-plan.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { digShort } from '../support/run-command.js';
import { startPowerDns, type PowerDnsTestServer } from '../support/powerdns-server.js';

describe('dnsgate with DNSGATE_PLUGIN=powerdns, over HTTP, against a real PowerDNS', () => {
  jest.setTimeout(60_000);
  let server: PowerDnsTestServer;
  let gateway: TestGateway;

  beforeAll(async () => {
    server = await startPowerDns();
    await server.createZone('example.com');
    await server.createZone('example.org');
    gateway = await startGateway({
      env: {
        DNSGATE_PLUGIN: 'powerdns',
        DNSGATE_POWERDNS_URL: server.url,
        DNSGATE_POWERDNS_API_KEY: server.apiKey,
        DNSGATE_POWERDNS_TIMEOUT: '1s',
      },
      plugins: [PowerDnsPluginModule],
    });
  });

  afterAll(async () => {
    server?.resume();
    await gateway?.close();
    await server?.stop();
  });

  const desired: Endpoint[] = [
    { dnsName: 'www.example.com', targets: ['192.0.2.10', '192.0.2.2'], recordType: 'A', recordTTL: 120 },
    { dnsName: 'v6.example.com', targets: ['2001:DB8::1'], recordType: 'AAAA' },
    { dnsName: 'App.Example.com', targets: ['www.example.com.'], recordType: 'CNAME' },
    { dnsName: 'example.org', targets: ['lb.example.net'], recordType: 'CNAME' },
    { dnsName: 'example.org', targets: ['10 mail.example.org'], recordType: 'MX', recordTTL: 3600 },
    { dnsName: 'note.example.org', targets: ['plain text; with "quotes"'], recordType: 'TXT' },
    { dnsName: '_https._tcp.example.org', targets: ['0 5 443 www.example.com'], recordType: 'SRV' },
  ];

  it('announces the discovered zones and reports ready', async () => {
    const negotiation = await gateway.webhook('/');
    expect(negotiation.status).toBe(200);
    expect(negotiation.headers.get('content-type')).toBe(WEBHOOK_MEDIA_TYPE);
    const filter = (await negotiation.json()) as { include?: string[] };
    expect(filter.include).toEqual(expect.arrayContaining(['example.com', 'example.org']));
    const ready = await fetch(`${gateway.healthUrl}/readyz`);
    expect(ready.status).toBe(200);
  });

  it('runs an ExternalDNS reconcile: adjust → records → apply (204) → records → adjust again shows no diff', async () => {
    const adjusted = await gateway.adjust(desired);
    expect(adjusted).toHaveLength(desired.length);
    const before = await gateway.records();
    expect(planDifferences(adjusted, before)).toHaveLength(desired.length);

    const ownership = adjusted.flatMap((endpoint) => registryRecords(endpoint));
    const apply = await gateway.webhook('/records', { body: { create: [...adjusted, ...ownership] } });
    expect(apply.status).toBe(204);
    expect(await apply.text()).toBe('');

    const after = await gateway.records();
    const secondPass = await gateway.adjust([...desired, ...ownership]);
    const inZones = secondPass; // names outside every zone (cname-example.org) are dropped by AdjustEndpoints
    expect(inZones.find((e) => e.dnsName === 'cname-example.org')).toBeUndefined();
    expect(planDifferences(inZones, after)).toEqual([]);

    expect(await digShort('127.0.0.1', server.dnsPort, 'www.example.com', 'A')).toEqual(['192.0.2.10', '192.0.2.2']);
    expect(await digShort('127.0.0.1', server.dnsPort, 'app.example.com', 'CNAME')).toEqual(['www.example.com.']);
    expect(await digShort('127.0.0.1', server.dnsPort, 'a-www.example.com', 'TXT')).toEqual([ownership[0]!.targets[0]]);
    expect((await server.rrset('example.org', 'example.org', 'ALIAS'))?.records[0]?.content).toBe('lb.example.net.');
  });

  it('updates and deletes over HTTP', async () => {
    const current = await gateway.records();
    const www = current.find((e) => e.dnsName === 'www.example.com' && e.recordType === 'A')!;
    const note = current.find((e) => e.dnsName === 'note.example.org' && e.recordType === 'TXT')!;
    const [next] = await gateway.adjust([{ ...www, targets: ['192.0.2.50'], recordTTL: 30 }]);
    const apply = await gateway.webhook('/records', {
      body: { UpdateOld: [www], UpdateNew: [next], Delete: [note], Create: null },
    });
    expect(apply.status).toBe(204);
    const after = await gateway.records();
    expect(after.find((e) => e.dnsName === 'www.example.com' && e.recordType === 'A')).toMatchObject({
      targets: ['192.0.2.50'],
      recordTTL: 30,
    });
    expect(after.find((e) => e.dnsName === 'note.example.org')).toBeUndefined();
    expect(await digShort('127.0.0.1', server.dnsPort, 'note.example.org', 'TXT')).toEqual([]);
  });

  it('answers a 5xx, never a 4xx, while PowerDNS stalls, and readiness says why', async () => {
    server.stall();
    try {
      const response = await gateway.webhook('/records');
      expect(response.status).toBeGreaterThanOrEqual(500);
      expect(response.status).toBeLessThanOrEqual(510);
      const apply = await gateway.webhook('/records', {
        body: { create: [{ dnsName: 'stall.example.com', recordType: 'A', targets: ['192.0.2.1'], recordTTL: 300 }] },
      });
      expect(apply.status).toBeGreaterThanOrEqual(500);
      expect(apply.status).toBeLessThanOrEqual(510);
      const ready = await fetch(`${gateway.healthUrl}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.text()).toMatch(/did not answer/);
    } finally {
      server.resume();
    }
    expect((await gateway.webhook('/records')).status).toBe(200);
  });
});
