import { WEBHOOK_MEDIA_TYPE, type Endpoint } from '@dnsgate/plugin-sdk';
import { Rfc2136PluginModule } from '../../plugins/rfc2136/src/index.js';
import { digAxfr, startBind, type BindServer } from '../support/bind-server.js';
import { planDifferences, registryRecords } from '../support/external-dns-plan.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { digShort } from '../support/run-command.js';
import { rfc2136Env } from './rfc2136-test-kit.js';

describe('dnsgate with DNSGATE_PLUGIN=rfc2136 over HTTP, against a real BIND 9', () => {
  let bind: BindServer;
  let gateway: TestGateway;

  beforeAll(async () => {
    bind = await startBind({
      zones: [
        { name: 'example.com', updateKeys: ['dnsgate'] },
        { name: 'myexample.com', updateKeys: ['dnsgate'] },
      ],
      keys: [{ name: 'dnsgate', algorithm: 'hmac-sha512' }],
    });
    gateway = await startGateway({
      env: { DNSGATE_PLUGIN: 'rfc2136', ...rfc2136Env([bind], ['example.com', 'myexample.com'], bind.keys.dnsgate) },
      plugins: [Rfc2136PluginModule],
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await bind?.dispose();
  });

  const desired: Endpoint[] = [
    { dnsName: 'www.example.com', targets: ['192.0.2.10', '192.0.2.2'], recordType: 'A', recordTTL: 120 },
    { dnsName: 'v6.example.com', targets: ['2001:db8:0::1'], recordType: 'AAAA' },
    { dnsName: 'App.Example.com', targets: ['www.example.com.'], recordType: 'CNAME' },
    { dnsName: 'mail.myexample.com', targets: ['10 mx.elsewhere.net'], recordType: 'MX', recordTTL: 3600 },
    { dnsName: 'note.myexample.com', targets: ['plain text; with "quotes"'], recordType: 'TXT' },
    { dnsName: '_sip._udp.myexample.com', targets: ['1 2 5060 sip.elsewhere.net'], recordType: 'SRV' },
  ];

  it('reconciles: adjust, records, apply (204), records, and the second pass finds nothing to change', async () => {
    const negotiation = await gateway.webhook('/');
    expect(negotiation.headers.get('content-type')).toBe(WEBHOOK_MEDIA_TYPE);
    const filter = (await negotiation.json()) as { include?: string[] };
    expect(filter.include).toEqual(expect.arrayContaining(['example.com', 'myexample.com']));

    const adjusted = await gateway.adjust(desired);
    expect(adjusted).toHaveLength(desired.length);
    const before = await gateway.records();
    expect(before).toEqual([]);
    expect(planDifferences(adjusted, before)).toHaveLength(desired.length);

    const ownership = adjusted.flatMap((endpoint) => registryRecords(endpoint));
    const apply = await gateway.webhook('/records', { body: { create: [...adjusted, ...ownership] } });
    expect(apply.status).toBe(204);
    expect(await apply.text()).toBe('');

    const after = await gateway.records();
    for (const endpoint of adjusted) {
      expect(after).toContainEqual(
        expect.objectContaining({
          dnsName: endpoint.dnsName,
          recordType: endpoint.recordType,
          targets: endpoint.targets,
        }),
      );
    }
    const txt = after.find((e) => e.dnsName === 'a-www.example.com');
    expect(txt?.targets[0]).toMatch(/^"heritage=external-dns,external-dns\/owner=default,/);
    expect(planDifferences(await gateway.adjust(desired), after)).toEqual([]);

    expect(await digShort('127.0.0.1', bind.port, 'www.example.com', 'A')).toEqual(['192.0.2.10', '192.0.2.2']);
    expect(await digShort('127.0.0.1', bind.port, 'app.example.com', 'CNAME')).toEqual(['www.example.com.']);
    expect(await digAxfr(bind, 'myexample.com', bind.keys.dnsgate)).toContain(
      'mail.myexample.com. 3600 IN MX 10 mx.elsewhere.net.',
    );
  });

  it('updates and deletes through POST /records, answering 204', async () => {
    const current = await gateway.records();
    const www = current.find((e) => e.dnsName === 'www.example.com' && e.recordType === 'A')!;
    const note = current.find((e) => e.dnsName === 'note.myexample.com')!;
    const [next] = await gateway.adjust([{ ...www, targets: ['192.0.2.99'], recordTTL: 60 }]);
    const response = await gateway.webhook('/records', {
      body: { updateOld: [www], updateNew: [next], delete: [note] },
    });
    expect(response.status).toBe(204);
    expect(await digShort('127.0.0.1', bind.port, 'www.example.com', 'A')).toEqual(['192.0.2.99']);
    expect(await digShort('127.0.0.1', bind.port, 'note.myexample.com', 'TXT')).toEqual([]);
  });

  it('exposes its metrics without the TSIG secret, and answers 5xx (never 4xx) when BIND is gone', async () => {
    const metrics = await (await fetch(`${gateway.healthUrl}/metrics`)).text();
    expect(metrics).toMatch(/dnsgate_rfc2136_requests_total\{[^}]*operation="update"[^}]*outcome="ok"\}/);
    expect(metrics).not.toContain(bind.keys.dnsgate!.secret);

    await bind.stop();
    const read = await gateway.webhook('/records');
    expect(read.status).toBe(503);
    const write = await gateway.webhook('/records', {
      body: { create: [{ dnsName: 'late.example.com', targets: ['192.0.2.1'], recordType: 'A' }] },
    });
    expect(write.status).toBeGreaterThanOrEqual(500);
    expect(write.status).toBeLessThanOrEqual(510);
    expect(await write.text()).not.toContain(bind.keys.dnsgate!.secret);
  });
});
