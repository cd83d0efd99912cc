import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FilePluginModule } from '@dnsgate/plugin-file';
import type { Endpoint } from '@dnsgate/plugin-sdk';
import { planDifferences, registryRecords } from '../support/external-dns-plan.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { assertNamedCheckzoneDir } from '../support/named-checkzone.js';

describe('an ExternalDNS-style reconcile on the file plugin', () => {
  let gateway: TestGateway;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dnsgate-reconcile-'));
    gateway = await startGateway({
      env: { DNSGATE_PLUGIN: 'file', DNSGATE_FILE_DIR: dir, DNSGATE_FILE_ZONES: 'example.com,example.org' },
      plugins: [FilePluginModule],
    });
  });

  afterAll(() => gateway.close());

  const desired: Endpoint[] = [
    { dnsName: 'www.example.com', targets: ['192.0.2.10', '192.0.2.2'], recordType: 'A', recordTTL: 120 },
    { dnsName: 'v6.example.com', targets: ['2001:db8::1'], recordType: 'AAAA' },
    { dnsName: 'App.Example.com', targets: ['www.example.com.'], recordType: 'CNAME' },
    { dnsName: 'example.org', targets: ['10 mail.example.org'], recordType: 'MX', recordTTL: 3600 },
    { dnsName: 'note.example.org', targets: ['plain text; with "quotes"'], recordType: 'TXT' },
  ];

  it('creates, reads back, and finds nothing to change on the next pass', async () => {
    const negotiation = await gateway.webhook('/');
    expect(await negotiation.json()).toEqual({ include: ['example.com', 'example.org'] });

    const adjusted = await gateway.adjust(desired);
    expect(adjusted).toHaveLength(desired.length);
    const before = await gateway.records();
    const creates = planDifferences(adjusted, before);
    expect(creates).toHaveLength(desired.length);

    const ownership = adjusted.flatMap((endpoint) => registryRecords(endpoint));
    const apply = await gateway.webhook('/records', { body: { create: [...adjusted, ...ownership] } });
    expect(apply.status).toBe(204);
    expect(await apply.text()).toBe('');

    const after = await gateway.records();
    // For an apex record the registry names its TXT `mx-example.org`, which lies outside every zone
    // (ExternalDNS's own behaviour without --txt-prefix): dnsgate skips it rather than failing the batch.
    const outside = ownership.filter((e) => e.dnsName === 'mx-example.org');
    expect(outside).toHaveLength(1);
    expect(after.find((e) => e.dnsName === 'mx-example.org')).toBeUndefined();
    for (const endpoint of [...adjusted, ...ownership.filter((e) => !outside.includes(e))]) {
      expect(after).toContainEqual(
        expect.objectContaining({
          dnsName: endpoint.dnsName,
          recordType: endpoint.recordType,
          targets: endpoint.targets,
        }),
      );
    }
    // The registry's ownership values come back with their literal quotes, so the TXT registry recognises them.
    const txt = after.find((e) => e.dnsName === 'a-www.example.com');
    expect(txt?.targets[0]).toMatch(/^"heritage=external-dns,external-dns\/owner=default,/);

    const secondPass = await gateway.adjust(desired);
    expect(planDifferences(secondPass, after)).toEqual([]);

    expect(await assertNamedCheckzoneDir(dir)).toEqual(['example.com', 'example.org']);
  });

  it('updates and deletes, and the zone files stay valid', async () => {
    const [www] = await gateway.adjust([desired[0]!]);
    const [updated] = await gateway.adjust([{ ...desired[0]!, targets: ['192.0.2.99'], recordTTL: 60 }]);
    const [v6] = await gateway.adjust([desired[1]!]);
    const response = await gateway.webhook('/records', {
      body: { updateOld: [www], updateNew: [updated], delete: [v6] },
    });
    expect(response.status).toBe(204);
    const current = await gateway.records();
    expect(current).toContainEqual(
      expect.objectContaining({ dnsName: 'www.example.com', targets: ['192.0.2.99'], recordTTL: 60 }),
    );
    expect(current.find((e) => e.dnsName === 'v6.example.com')).toBeUndefined();
    expect(
      readFileSync(
        join(
          dir,
          readdirSync(dir).find((f) => f.includes('example.com'))!,
        ),
        'utf8',
      ),
    ).toContain('192.0.2.99');
    await assertNamedCheckzoneDir(dir);
  });

  it('answers a batch in which a change cannot apply with a soft error naming it, and writes the rest', async () => {
    const [www] = await gateway.adjust([desired[0]!]);
    const response = await gateway.webhook('/records', {
      body: { create: [{ dnsName: 'new.example.com', targets: ['192.0.2.5'], recordType: 'A' }, www] },
    });
    expect(response.status).toBe(500);
    const body = (await response.json()) as {
      message: string;
      applied: number;
      notApplied: number;
      changes: unknown[];
    };
    expect(body.message).toMatch(/^1 of 2 changes did not land \(1 applied\): create A www\.example\.com: conflict/);
    expect({ applied: body.applied, notApplied: body.notApplied, changes: body.changes }).toEqual({
      applied: 1,
      notApplied: 1,
      changes: [
        {
          action: 'create',
          dnsName: 'www.example.com',
          recordType: 'A',
          reason: 'conflict',
          problem: 'cannot create A www.example.com: it already exists',
        },
      ],
    });
    expect((await gateway.records()).map((e) => e.dnsName)).toContain('new.example.com');
    const metrics = await (await fetch(`${gateway.healthUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /dnsgate_plugin_changes_refused_total\{plugin="file",instance="file",action="create",reason="conflict"\} 1/,
    );
    await assertNamedCheckzoneDir(dir);
  });
});
