import { mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as fc from 'fast-check';
import { FilePluginModule } from '@dnsgate/plugin-file';
import { PowerDnsPluginModule } from '@dnsgate/plugin-powerdns';
import { Rfc2136PluginModule } from '@dnsgate/plugin-rfc2136';
import type { Endpoint } from '@dnsgate/plugin-sdk';
import { digAxfr, startBind, type BindServer } from '../support/bind-server.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { assertNamedCheckzoneDir } from '../support/named-checkzone.js';
import { startPowerDns, type PowerDnsTestServer } from '../support/powerdns-server.js';
import { runCommand } from '../support/run-command.js';
import { startStallingProxy, type StallingProxy } from '../support/stalling-proxy.js';
import { rfc2136Env } from '../rfc2136/rfc2136-test-kit.js';

/**
 * The one batch contract, through the gateway's HTTP API, on each built-in
 * plugin against its real server: every change that can land lands, every
 * change that cannot is named in a 5xx, inside the call's deadline, and a
 * dry-run answers the same and changes nothing.
 */

interface SoftError {
  message: string;
  applied: number;
  notApplied: number;
  dryRun?: boolean;
  changes: Array<{ action: string; dnsName: string; recordType: string; reason: string; problem: string }>;
}

async function softError(response: Response): Promise<SoftError> {
  expect(response.status).toBeGreaterThanOrEqual(500);
  expect(response.status).toBeLessThanOrEqual(510);
  return (await response.json()) as SoftError;
}

const named = (body: SoftError) => body.changes.map((c) => `${c.recordType} ${c.dnsName} ${c.reason}`).sort();
const a = (dnsName: string, target: string): Endpoint => ({ dnsName, recordType: 'A', targets: [target] });

/** Records a loader or a transfer would choke on: the three cases the issue found written. */
function unloadable(zone: string): Endpoint[] {
  return [
    { dnsName: `big.${zone}`, recordType: 'TXT', targets: ['x'.repeat(70_000)] },
    { dnsName: `naptr.${zone}`, recordType: 'NAPTR', targets: ['100 10 u E2U x .'] },
  ];
}

const metrics = async (gateway: TestGateway) => (await fetch(`${gateway.healthUrl}/metrics`)).text();

describe('the batch contract on rfc2136, against BIND with its default integrity and check-names settings', () => {
  let bind: BindServer;
  let gateway: TestGateway;

  beforeAll(async () => {
    bind = await startBind({
      zones: [{ name: 'example.com', updateKeys: ['dnsgate'] }],
      keys: [{ name: 'dnsgate', algorithm: 'hmac-sha256' }],
    });
    gateway = await startGateway({
      env: { DNSGATE_PLUGIN: 'rfc2136', ...rfc2136Env([bind], ['example.com'], bind.keys.dnsgate) },
      plugins: [Rfc2136PluginModule],
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await bind?.dispose();
  });

  it('a batch of 20 with an MX to an in-zone name without an address: 19 land, the answer names the MX', async () => {
    const good = Array.from({ length: 19 }, (_, i) => a(`host${i}.example.com`, `192.0.2.${i + 1}`));
    const mx: Endpoint = { dnsName: 'example.com', recordType: 'MX', targets: ['10 nomail.example.com'] };
    const create = [...good.slice(0, 9), mx, ...good.slice(9)];
    const body = await softError(await gateway.webhook('/records', { body: { create } }));
    expect(named(body)).toEqual(['MX example.com refused']);
    expect({ applied: body.applied, notApplied: body.notApplied }).toEqual({ applied: 19, notApplied: 1 });
    expect(body.message).toMatch(/^1 of 20 changes did not land \(19 applied\): create MX example\.com: refused: /);
    const axfr = await digAxfr(bind, 'example.com', bind.keys.dnsgate);
    for (const endpoint of good) expect(axfr.some((line) => line.startsWith(`${endpoint.dnsName}.`))).toBe(true);
    expect(axfr.some((line) => line.split(' ')[3] === 'MX')).toBe(false);
    expect(await metrics(gateway)).toMatch(
      /dnsgate_plugin_changes_refused_total\{plugin="rfc2136",instance="rfc2136",action="create",reason="refused"\} 1/,
    );
  });

  it('drops in AdjustEndpoints, and refuses in ApplyChanges, an A at _dmarc, a 70,000-byte TXT and a malformed NAPTR', async () => {
    const bad = [a('_dmarc.example.com', '192.0.2.1'), ...unloadable('example.com')];
    expect(await gateway.adjust(bad)).toEqual([]);
    const body = await softError(
      await gateway.webhook('/records', { body: { create: [...bad, a('fine.example.com', '192.0.2.50')] } }),
    );
    expect(named(body)).toEqual([
      'A _dmarc.example.com invalid',
      'NAPTR naptr.example.com invalid',
      'TXT big.example.com invalid',
    ]);
    expect(body.applied).toBe(1);
    expect(await digAxfr(bind, 'example.com', bind.keys.dnsgate)).toContain('fine.example.com. 300 IN A 192.0.2.50');
  });

  it('in dry-run, answers as the real apply would, says so on /readyz and /metrics, and changes nothing', async () => {
    const dry = await startGateway({
      env: {
        DNSGATE_PLUGIN: 'rfc2136',
        DNSGATE_DRY_RUN: 'true',
        ...rfc2136Env([bind], ['example.com'], bind.keys.dnsgate),
      },
      plugins: [Rfc2136PluginModule],
    });
    try {
      const before = await digAxfr(bind, 'example.com', bind.keys.dnsgate);
      const create = [a('dry-new.example.com', '192.0.2.77'), a('host0.example.com', '192.0.2.99')];
      const body = await softError(await dry.webhook('/records', { body: { create } }));
      expect(named(body)).toEqual(['A host0.example.com conflict']);
      expect({ applied: body.applied, dryRun: body.dryRun }).toEqual({ applied: 1, dryRun: true });
      const clean = await dry.webhook('/records', { body: { create: [create[0]] } });
      expect(clean.status).toBe(204);
      expect(await digAxfr(bind, 'example.com', bind.keys.dnsgate)).toEqual(before);
      const ready = (await (await fetch(`${dry.healthUrl}/readyz`)).json()) as { plugins: Array<{ dryRun?: boolean }> };
      expect(ready.plugins[0]!.dryRun).toBe(true);
      expect(await metrics(dry)).toMatch(/dnsgate_plugin_dry_run\{plugin="rfc2136",instance="rfc2136"\} 1/);
    } finally {
      await dry.close();
    }
  });

  it('with both servers stalled, Records and ApplyChanges answer 504 before the 12 s budget is out', async () => {
    const proxies: StallingProxy[] = [await startStallingProxy(bind.port), await startStallingProxy(bind.port)];
    const stalled = await startGateway({
      env: {
        DNSGATE_PLUGIN: 'rfc2136',
        // Each server alone would take 10 s to time out: fail-over must fit the call's budget.
        ...rfc2136Env(
          proxies.map((p) => p.address),
          ['example.com'],
          bind.keys.dnsgate,
          { DNSGATE_RFC2136_TIMEOUT: '10' },
        ),
      },
      plugins: [Rfc2136PluginModule],
    });
    try {
      for (const proxy of proxies) proxy.stall();
      let started = Date.now();
      const read = await stalled.webhook('/records');
      const readMs = Date.now() - started;
      started = Date.now();
      const write = await stalled.webhook('/records', { body: { create: [a('late.example.com', '192.0.2.5')] } });
      const writeMs = Date.now() - started;
      expect({ read: read.status, write: write.status }).toEqual({ read: 504, write: 504 });
      expect({ readMs: readMs < 13_000, writeMs: writeMs < 13_000 }).toEqual({ readMs: true, writeMs: true });
      const body = (await write.json()) as SoftError;
      // Either the call's deadline answered first, or the transport's wait, capped at what was left of it.
      expect(body.changes[0]).toMatchObject({ dnsName: 'late.example.com' });
      expect(['deadline', 'timeout']).toContain(body.changes[0]!.reason);
    } finally {
      for (const proxy of proxies) proxy.resume();
      await stalled.close();
      for (const proxy of proxies) await proxy.close();
    }
  }, 60_000);
});

describe('the batch contract on powerdns, against PowerDNS Authoritative', () => {
  let pdns: PowerDnsTestServer;
  let gateway: TestGateway;

  const axfr = async () => {
    const result = await runCommand('dig', [
      '@127.0.0.1',
      '-p',
      String(pdns.dnsPort),
      '+noall',
      '+answer',
      'example.org',
      'AXFR',
    ]);
    expect(result.stdout).not.toMatch(/Transfer failed|Got bad packet|communications error/);
    expect(result.code).toBe(0);
    return result.stdout;
  };

  beforeAll(async () => {
    pdns = await startPowerDns();
    await pdns.createZone('example.org.');
    gateway = await startGateway({
      env: {
        DNSGATE_PLUGIN: 'powerdns',
        DNSGATE_POWERDNS_URL: pdns.url,
        DNSGATE_POWERDNS_API_KEY: pdns.apiKey,
        DNSGATE_POWERDNS_ZONES: 'example.org',
      },
      plugins: [PowerDnsPluginModule],
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await pdns?.stop();
  });

  it('a PATCH PowerDNS refuses (422) is split: the CNAME beside an A is named, the rest lands, the zone still transfers', async () => {
    expect((await gateway.webhook('/records', { body: { create: [a('www.example.org', '192.0.2.1')] } })).status).toBe(
      204,
    );
    const good = Array.from({ length: 10 }, (_, i) => a(`h${i}.example.org`, `192.0.2.${i + 10}`));
    const cname: Endpoint = { dnsName: 'www.example.org', recordType: 'CNAME', targets: ['elsewhere.example.net'] };
    const body = await softError(
      await gateway.webhook('/records', { body: { create: [...good.slice(0, 4), cname, ...good.slice(4)] } }),
    );
    expect(named(body)).toEqual(['CNAME www.example.org refused']);
    expect(body.changes[0]!.problem).toMatch(/422/);
    expect(body.applied).toBe(10);
    const transfer = await axfr();
    for (const endpoint of good) expect(transfer).toContain(`${endpoint.dnsName}.`);
    expect(transfer).not.toMatch(/www\.example\.org\.\s+\d+\s+IN\s+CNAME/);
  });

  it('refuses a 70,000-byte TXT and a malformed NAPTR before PowerDNS sees them, and the zone still transfers', async () => {
    expect(await gateway.adjust(unloadable('example.org'))).toEqual([]);
    const body = await softError(
      await gateway.webhook('/records', {
        body: { create: [...unloadable('example.org'), a('fine.example.org', '192.0.2.50')] },
      }),
    );
    expect(named(body)).toEqual(['NAPTR naptr.example.org invalid', 'TXT big.example.org invalid']);
    expect(await axfr()).toContain('fine.example.org.');
  });

  it('in dry-run, names the same changes as the real apply and changes nothing', async () => {
    const dry = await startGateway({
      env: {
        DNSGATE_PLUGIN: 'powerdns',
        DNSGATE_DRY_RUN: 'true',
        DNSGATE_POWERDNS_URL: pdns.url,
        DNSGATE_POWERDNS_API_KEY: pdns.apiKey,
        DNSGATE_POWERDNS_ZONES: 'example.org',
      },
      plugins: [PowerDnsPluginModule],
    });
    try {
      const before = await axfr();
      const create = [a('dry.example.org', '192.0.2.70'), a('www.example.org', '192.0.2.71')];
      const body = await softError(
        await dry.webhook('/records', { body: { create, delete: [a('h1.example.org', '192.0.2.11')] } }),
      );
      expect(named(body)).toEqual(['A www.example.org conflict']);
      expect({ applied: body.applied, dryRun: body.dryRun }).toEqual({ applied: 2, dryRun: true });
      expect(await axfr()).toEqual(before);
    } finally {
      await dry.close();
    }
  });
});

describe('the batch contract on file zones', () => {
  let dir: string;
  let gateway: TestGateway;
  const zones = ['example.com', 'example.net'];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dnsgate-contract-'));
    gateway = await startGateway({
      env: { DNSGATE_PLUGIN: 'file', DNSGATE_FILE_DIR: dir, DNSGATE_FILE_ZONES: zones.join(',') },
      plugins: [FilePluginModule],
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** `named-checkconf -z`: the zones as a default named would load them. */
  async function namedCheckconf(): Promise<void> {
    const conf = join(dir, '..', `${join(dir).split('/').pop()}-named.conf`);
    writeFileSync(
      conf,
      zones.map((zone) => `zone "${zone}" { type primary; file "${join(dir, `${zone}.zone`)}"; };\n`).join(''),
    );
    const result = await runCommand('named-checkconf', ['-z', conf]);
    await rm(conf, { force: true });
    expect({ code: result.code, out: result.stdout + result.stderr }).toEqual({ code: 0, out: expect.any(String) });
  }

  const label = fc.oneof(
    fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/),
    fc.constantFrom('_dmarc', '_acme-challenge', '*', 'a b', 'x;y', '$ORIGIN', 'é', '-bad', 'bad-', 'a\nb'),
  );
  const endpoint = fc
    .record({
      labels: fc.array(label, { minLength: 1, maxLength: 3 }),
      zone: fc.constantFrom(...zones),
      type: fc.constantFrom('A', 'AAAA', 'CNAME', 'TXT', 'MX', 'SRV', 'NAPTR', 'NS', 'PTR'),
      target: fc.oneof(
        fc.constantFrom(
          '192.0.2.1',
          '2001:db8::1',
          '10 mail.example.net',
          '10 _mail.example.com',
          '0 5 5060 sip.example.net.',
          '100 10 "u" "E2U+sip" "!^.*$!sip:x@example.net!" .',
          '100 10 u E2U x .',
          'target.example.net.',
          '"quoted" text',
          'x'.repeat(70_000),
          '1.2.3.4\n@ IN NS evil.',
        ),
        fc.string({ maxLength: 40 }),
      ),
    })
    .map(({ labels, zone, type, target }): Endpoint => ({
      dnsName: `${labels.join('.')}.${zone}`,
      recordType: type,
      targets: [target],
    }));

  it('after fuzzed batches, every zone file still passes named-checkzone and named-checkconf -z, and every answer is a 204 or a soft error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(endpoint, { minLength: 1, maxLength: 25 }), async (create) => {
        const response = await gateway.webhook('/records', { body: { create } });
        expect([204, 500]).toContain(response.status);
        if (response.status === 500) {
          const body = (await response.json()) as SoftError;
          expect(body.applied + body.notApplied).toBeLessThanOrEqual(create.length);
        }
      }),
      { numRuns: 40, seed: Number(process.env.DNSGATE_FUZZ_SEED ?? 20261201) },
    );
    expect(await assertNamedCheckzoneDir(dir)).toEqual(expect.arrayContaining(zones));
    await namedCheckconf();
  });

  it('in dry-run, answers as a real apply would and leaves every file byte-identical', async () => {
    const dry = await startGateway({
      env: {
        DNSGATE_PLUGIN: 'file',
        DNSGATE_FILE_DIR: dir,
        DNSGATE_FILE_ZONES: zones.join(','),
        DNSGATE_DRY_RUN: 'true',
      },
      plugins: [FilePluginModule],
    });
    try {
      expect(
        (await gateway.webhook('/records', { body: { create: [a('kept.example.com', '192.0.2.1')] } })).status,
      ).toBe(204);
      const { readFileSync } = await import('node:fs');
      const before = zones.map((zone) => readFileSync(join(dir, `${zone}.zone`), 'utf8'));
      const body = await softError(
        await dry.webhook('/records', {
          body: { create: [a('kept.example.com', '192.0.2.2'), a('new.example.net', '192.0.2.3')] },
        }),
      );
      expect(named(body)).toEqual(['A kept.example.com conflict']);
      expect({ applied: body.applied, dryRun: body.dryRun }).toEqual({ applied: 1, dryRun: true });
      expect(zones.map((zone) => readFileSync(join(dir, `${zone}.zone`), 'utf8'))).toEqual(before);
    } finally {
      await dry.close();
    }
  });
});
