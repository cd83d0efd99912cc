import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WEBHOOK_MEDIA_TYPE, type Endpoint } from '@dnsgate/plugin-sdk';
import type { DnsgateProcess } from '../support/dnsgate-process.js';
import { spawnOn, startBackend, type TestBackend } from './hostile-backends.js';
import { metricSum, postRaw } from './hostile-http.js';

/**
 * Issue 12, defect 10: whatever ExternalDNS sends, a change outside the
 * domain filter is dropped, logged and counted in
 * dnsgate_changes_out_of_scope_total, on the running server.
 */
const a = (dnsName: string, target = '192.0.2.1'): Endpoint => ({ dnsName, targets: [target], recordType: 'A' });

const filters: Array<{ name: string; env: Record<string, string>; inside: string; outside: string[] }> = [
  {
    name: 'DNSGATE_DOMAIN_FILTER',
    env: { DNSGATE_DOMAIN_FILTER: 'example.org' },
    inside: 'www.example.org',
    outside: ['www.example.com', 'example.com', 'www.example.org.evil.net'],
  },
  {
    name: 'DNSGATE_EXCLUDE_DOMAINS',
    env: { DNSGATE_EXCLUDE_DOMAINS: 'dev.example.org' },
    inside: 'www.example.org',
    outside: ['dev.example.org', 'a.dev.example.org', 'www.elsewhere.net'],
  },
  {
    name: 'DNSGATE_REGEX_DOMAIN_FILTER and DNSGATE_REGEX_DOMAIN_EXCLUSION',
    env: { DNSGATE_REGEX_DOMAIN_FILTER: '\\.example\\.org$', DNSGATE_REGEX_DOMAIN_EXCLUSION: '^dev\\.' },
    inside: 'www.example.org',
    outside: ['www.example.com', 'dev.example.org', 'example.org'],
  },
];

describe.each(filters)('enforcing $name on the running server', ({ env, inside, outside }) => {
  jest.setTimeout(60_000);
  let backend: TestBackend;
  let dnsgate: DnsgateProcess;

  beforeAll(async () => {
    backend = await startBackend('file', ['example.org', 'example.com']);
    dnsgate = await spawnOn(backend, env);
  });
  afterAll(async () => {
    await dnsgate?.stop();
    await backend?.dispose();
  });

  const counted = (action: string) => metricSum(dnsgate.healthUrl, 'dnsgate_changes_out_of_scope_total', { action });
  const zoneFiles = async () =>
    (await readFile(join(backend.dir!, 'example.org.zone'), 'utf8')) +
    (await readFile(join(backend.dir!, 'example.com.zone'), 'utf8'));
  const records = async () =>
    (await (
      await fetch(`${dnsgate.webhookUrl}/records`, { headers: { accept: WEBHOOK_MEDIA_TYPE } })
    ).json()) as Endpoint[];

  it('drops, logs and counts creates, updates (either side) and deletes outside it, and applies the rest', async () => {
    const filesBefore = await zoneFiles();
    const before = {
      create: await counted('create'),
      update: await counted('update'),
      delete: await counted('delete'),
    };
    for (const name of outside) {
      const changes = {
        create: [a(name)],
        updateOld: [a(name), a(inside)],
        updateNew: [a(name, '192.0.2.2'), a(name, '192.0.2.3')],
        delete: [a(name)],
      };
      const answer = await postRaw(dnsgate.webhookUrl, '/records', JSON.stringify(changes));
      expect(answer.status).toBe(204);
    }
    expect(await counted('create')).toBe(before.create + outside.length);
    expect(await counted('update')).toBe(before.update + 2 * outside.length);
    expect(await counted('delete')).toBe(before.delete + outside.length);
    expect(await zoneFiles()).toBe(filesBefore);
    const output = dnsgate.output();
    for (const name of outside) {
      expect(output).toContain(`ignoring create of A ${name}:`);
      expect(output).toContain(`ignoring delete of A ${name}:`);
      expect(output).toContain(`ignoring update of A ${name}:`);
      expect(output).toContain(`ignoring update of A ${inside} to A ${name} (the new name)`);
    }

    const created = await postRaw(dnsgate.webhookUrl, '/records', JSON.stringify({ create: [a(inside)] }));
    expect(created.status).toBe(204);
    expect((await records()).map((e) => e.dnsName)).toEqual([inside]);
  });

  it('leaves out-of-scope names out of /adjustendpoints, logged and counted', async () => {
    const before = await counted('adjust');
    const answer = await postRaw(
      dnsgate.webhookUrl,
      '/adjustendpoints',
      JSON.stringify([a(inside), ...outside.map((n) => a(n))]),
    );
    expect(answer.status).toBe(200);
    expect((JSON.parse(answer.text) as Endpoint[]).map((e) => e.dnsName)).toEqual([inside]);
    expect(await counted('adjust')).toBe(before + outside.length);
    expect(dnsgate.output()).toContain(
      `AdjustEndpoints left out ${outside.length} endpoint(s) outside the domain filter`,
    );
  });

  it('never reads back a record outside it, even one already in the zone file', async () => {
    const names = (await records()).map((e) => e.dnsName);
    for (const name of outside) expect(names).not.toContain(name);
  });
});
