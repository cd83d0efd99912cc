import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WEBHOOK_MEDIA_TYPE, type Endpoint } from '@dnsgate/plugin-sdk';
import { runDnsgateExpectingFailure, type DnsgateProcess } from '../support/dnsgate-process.js';
import { planDifferences } from '../support/external-dns-plan.js';
import { runCommand } from '../support/run-command.js';
import { BACKEND_KINDS, spawnOn, startBackend, type TestBackend } from './hostile-backends.js';
import { postRaw } from './hostile-http.js';

/** Issue 12, defects 8 and 9: RE2 regex filters, and IDN names written, reported and filtered as ExternalDNS does. */

async function records(dnsgate: DnsgateProcess): Promise<Endpoint[]> {
  const response = await fetch(`${dnsgate.webhookUrl}/records`, { headers: { accept: WEBHOOK_MEDIA_TYPE } });
  expect(response.status).toBe(200);
  return (await response.json()) as Endpoint[];
}

async function adjust(dnsgate: DnsgateProcess, endpoints: Endpoint[]): Promise<Endpoint[]> {
  const answer = await postRaw(dnsgate.webhookUrl, '/adjustendpoints', JSON.stringify(endpoints));
  expect(answer.status).toBe(200);
  return JSON.parse(answer.text) as Endpoint[];
}

async function apply(dnsgate: DnsgateProcess, changes: Record<string, Endpoint[]>): Promise<void> {
  const answer = await postRaw(dnsgate.webhookUrl, '/records', JSON.stringify(changes));
  expect(answer.status).toBe(204);
}

/** The names the backend itself holds, read without dnsgate. */
async function namesInBackend(backend: TestBackend, zone: string): Promise<string> {
  if (backend.kind === 'file') return readFile(join(backend.dir!, `${zone}.zone`), 'utf8');
  const server = backend.kind === 'powerdns' ? backend.powerdns! : backend.bind!;
  const port = 'dnsPort' in server ? server.dnsPort : server.port;
  const args = ['+noall', '+answer', '+tcp', '-p', String(port), '@127.0.0.1', zone, 'AXFR'];
  if (backend.bind) {
    const key = backend.bind.keys.dnsgate!;
    args.unshift('-y', `${key.algorithm}:${key.name}:${key.secret}`);
  }
  return (await runCommand('dig', args)).stdout;
}

describe.each(BACKEND_KINDS)('IDN names with the %s plugin', (kind) => {
  jest.setTimeout(90_000);
  let backend: TestBackend;
  let dnsgate: DnsgateProcess;

  beforeAll(async () => {
    backend = await startBackend(kind, ['example.org']);
    dnsgate = await spawnOn(backend);
  });
  afterAll(async () => {
    await dnsgate?.stop();
    await backend?.dispose();
  });

  const desired: Endpoint[] = [
    { dnsName: 'bücher.example.org', targets: ['192.0.2.1'], recordType: 'A', recordTTL: 300 },
    { dnsName: 'Straße.Example.org', targets: ['"owner=ü"'], recordType: 'TXT', recordTTL: 300 },
    // A TTL past 2^53, as a DNSEndpoint's int64 may carry: held as the DNS maximum by every backend.
    { dnsName: 'long-ttl.example.org', targets: ['192.0.2.9'], recordType: 'A', recordTTL: 2 ** 62 },
    // An IDN in a target: a CNAME to it, and the exchange of an MX.
    { dnsName: 'alias.example.org', targets: ['bücher.example.org'], recordType: 'CNAME', recordTTL: 300 },
    { dnsName: 'mx.example.org', targets: ['10 mail.bücher.example.net'], recordType: 'MX', recordTTL: 300 },
  ];

  it('writes a Unicode name as its A-labels and an int64 TTL as the DNS maximum, reports both back so the next plan shows no change', async () => {
    const adjusted = await adjust(dnsgate, desired);
    expect(adjusted.map((e) => e.dnsName).sort()).toEqual([
      'alias.example.org',
      'long-ttl.example.org',
      'mx.example.org',
      'xn--bcher-kva.example.org',
      'xn--strae-oqa.example.org',
    ]);
    expect(adjusted.find((e) => e.recordType === 'CNAME')?.targets[0]).toMatch(/^xn--bcher-kva\.example\.org\.?$/);
    expect(adjusted.find((e) => e.recordType === 'MX')?.targets[0]).toMatch(
      /^10 mail\.xn--bcher-kva\.example\.net\.?$/,
    );
    expect(adjusted.find((e) => e.dnsName === 'long-ttl.example.org')?.recordTTL).toBe(2_147_483_647);
    await apply(dnsgate, { create: desired });
    const current = await records(dnsgate);
    expect(current.map((e) => e.dnsName)).toEqual(
      expect.arrayContaining(['xn--bcher-kva.example.org', 'xn--strae-oqa.example.org']),
    );
    expect(planDifferences(adjusted, current)).toEqual([]);
    // A second pass as ExternalDNS makes it, with the Unicode names again from its sources.
    expect(planDifferences(await adjust(dnsgate, desired), await records(dnsgate))).toEqual([]);
    const held = await namesInBackend(backend, 'example.org');
    expect(held).toContain('xn--bcher-kva');
    expect(held).not.toContain('bücher');
  });

  it('updates and deletes it by either form', async () => {
    await apply(dnsgate, {
      updateOld: [{ dnsName: 'xn--bcher-kva.example.org', targets: ['192.0.2.1'], recordType: 'A', recordTTL: 300 }],
      updateNew: [{ dnsName: 'bücher.example.org', targets: ['192.0.2.2'], recordType: 'A', recordTTL: 300 }],
    });
    expect((await records(dnsgate)).find((e) => e.dnsName === 'xn--bcher-kva.example.org')?.targets).toEqual([
      '192.0.2.2',
    ]);
    await apply(dnsgate, {
      delete: [{ dnsName: 'BÜCHER.example.org', targets: ['192.0.2.2'], recordType: 'A', recordTTL: 300 }],
    });
    expect((await records(dnsgate)).some((e) => e.dnsName === 'xn--bcher-kva.example.org')).toBe(false);
  });
});

describe('domain filters on IDN names, matched in the Unicode form as ExternalDNS matches them', () => {
  jest.setTimeout(60_000);
  let backend: TestBackend;
  const gateways: DnsgateProcess[] = [];

  beforeAll(async () => {
    backend = await startBackend('file', ['example.org']);
  });
  afterAll(async () => {
    for (const gateway of gateways) await gateway.stop();
    await backend?.dispose();
  });

  it.each([
    ['DNSGATE_REGEX_DOMAIN_FILTER', '^(.+\\.)?bücher\\.example\\.org$'],
    ['DNSGATE_DOMAIN_FILTER', 'bücher.example.org'],
    ['DNSGATE_DOMAIN_FILTER', 'xn--bcher-kva.example.org'],
  ])('%s=%s keeps the names under bücher.example.org, in either form, and nothing else', async (variable, value) => {
    const dnsgate = await spawnOn(backend, { [variable]: value });
    gateways.push(dnsgate);
    const adjusted = await adjust(dnsgate, [
      { dnsName: 'www.bücher.example.org', targets: ['192.0.2.1'], recordType: 'A' },
      { dnsName: 'mail.xn--bcher-kva.example.org', targets: ['192.0.2.1'], recordType: 'A' },
      { dnsName: 'other.example.org', targets: ['192.0.2.1'], recordType: 'A' },
    ]);
    expect(adjusted.map((e) => e.dnsName).sort()).toEqual([
      'mail.xn--bcher-kva.example.org',
      'www.xn--bcher-kva.example.org',
    ]);
    const negotiation = (await (await fetch(`${dnsgate.webhookUrl}/`)).json()) as Record<string, unknown>;
    if (variable === 'DNSGATE_REGEX_DOMAIN_FILTER') expect(negotiation).toEqual({ regexInclude: value });
    else
      expect(negotiation.include).toEqual(expect.arrayContaining(['bücher.example.org', 'xn--bcher-kva.example.org']));
  });
});

describe('regex filters are compiled as Go RE2, as ExternalDNS compiles them', () => {
  jest.setTimeout(60_000);

  it.each([
    ['DNSGATE_REGEX_DOMAIN_FILTER', '^(?!dev\\.).*\\.example\\.org$', 'invalid or unsupported Perl syntax'],
    ['DNSGATE_REGEX_DOMAIN_EXCLUSION', '^(a)\\1$', 'invalid escape sequence'],
    ['DNSGATE_REGEX_DOMAIN_FILTER', '(?<=x)y', 'invalid named capture'],
    ['DNSGATE_REGEX_DOMAIN_FILTER', 'a{2000}', 'invalid repeat count'],
  ])('refuses %s=%s at boot, saying why', async (variable, value, reason) => {
    const { code, output } = await runDnsgateExpectingFailure({
      DNSGATE_PLUGIN: 'file',
      DNSGATE_FILE_DIR: '/tmp/dnsgate-never-used',
      DNSGATE_WEBHOOK_PORT: '0',
      DNSGATE_HEALTH_PORT: '0',
      [variable]: value,
    });
    expect(code).toBe(1);
    expect(output).toContain('not valid RE2 (Go regexp) syntax');
    expect(output).toContain(reason);
    expect(output).not.toMatch(/\n\s+at /);
  });

  it('accepts RE2 constructs JavaScript lacks, and matches with them', async () => {
    const backend = await startBackend('file', ['example.org']);
    const dnsgate = await spawnOn(backend, { DNSGATE_REGEX_DOMAIN_FILTER: '(?i)^\\p{Greek}+\\.example\\.org$' });
    try {
      const adjusted = await adjust(dnsgate, [
        { dnsName: 'αβγ.example.org', targets: ['192.0.2.1'], recordType: 'A' },
        { dnsName: 'abc.example.org', targets: ['192.0.2.1'], recordType: 'A' },
      ]);
      expect(adjusted.map((e) => e.dnsName)).toEqual(['xn--mxacd.example.org']);
    } finally {
      await dnsgate.stop();
      await backend.dispose();
    }
  });
});
