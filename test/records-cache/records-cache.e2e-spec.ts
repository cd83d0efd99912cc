import { jest } from '@jest/globals';
import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FilePluginModule } from '@dnsgate/plugin-file';
import { PowerDnsPluginModule } from '@dnsgate/plugin-powerdns';
import { Rfc2136PluginModule } from '@dnsgate/plugin-rfc2136';
import type { Endpoint } from '@dnsgate/plugin-sdk';
import { nsupdate, startBind, type BindServer } from '../support/bind-server.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { startPowerDns, type PowerDnsTestServer } from '../support/powerdns-server.js';
import { runCommand } from '../support/run-command.js';
import { scrapedMetric } from '../support/metrics-text.js';

/**
 * The records cache on a running dnsgate against each real backend: an
 * unchanged zone is served without reading it, a change made outside dnsgate
 * is seen at the next read (by its difference where the server has IXFR), a
 * write is seen at once, and the metrics say which happened.
 */

function metric(gateway: TestGateway, name: string, labels: Record<string, string> = {}): Promise<number> {
  return scrapedMetric(gateway.healthUrl, name, labels);
}

/** The cache's counters for one instance, to compare before and after a read. */
async function cacheCounts(gateway: TestGateway, instance: string) {
  const reads = (result: string) => metric(gateway, 'dnsgate_records_cache_zone_reads_total', { instance, result });
  return {
    hit: await reads('hit'),
    incremental: await reads('incremental'),
    full: await reads('full'),
    revalidations: await metric(gateway, 'dnsgate_records_cache_revalidations_total', { instance }),
  };
}

async function countsOfOneRead(gateway: TestGateway, instance: string) {
  const before = await cacheCounts(gateway, instance);
  const records = await gateway.records();
  const after = await cacheCounts(gateway, instance);
  const delta = {
    hit: after.hit - before.hit,
    incremental: after.incremental - before.incremental,
    full: after.full - before.full,
    revalidations: after.revalidations - before.revalidations,
  };
  return { records, delta };
}

const names = (endpoints: Endpoint[]) => endpoints.map((e) => `${e.dnsName} ${e.recordType}`).sort();
const create = (gateway: TestGateway, endpoint: Endpoint) =>
  gateway.webhook('/records', { body: { create: [endpoint], updateOld: [], updateNew: [], delete: [] } });

describe('records cache, file plugin (on by default: the file identity)', () => {
  let dir: string;
  let gateway: TestGateway;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dnsgate-cache-file-'));
    gateway = await startGateway({
      env: { DNSGATE_PLUGIN: 'file', DNSGATE_FILE_DIR: dir, DNSGATE_FILE_ZONES: 'example.org,example.net' },
      plugins: [FilePluginModule],
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves an unchanged zone from the cache, sees a write at once and a file replaced outside dnsgate', async () => {
    expect(await metric(gateway, 'dnsgate_records_cache_enabled', { instance: 'file' })).toBe(1);
    expect(
      (await create(gateway, { dnsName: 'www.example.org', targets: ['192.0.2.1'], recordType: 'A' })).status,
    ).toBe(204);
    const first = await countsOfOneRead(gateway, 'file');
    expect(names(first.records)).toEqual(['www.example.org A']);
    const second = await countsOfOneRead(gateway, 'file');
    expect(second.records).toEqual(first.records);
    expect(second.delta).toEqual({ hit: 2, incremental: 0, full: 0, revalidations: 2 });

    // A write through dnsgate is seen by the next read.
    await create(gateway, { dnsName: 'api.example.org', targets: ['192.0.2.2'], recordType: 'A' });
    const afterWrite = await countsOfOneRead(gateway, 'file');
    expect(names(afterWrite.records)).toEqual(['api.example.org A', 'www.example.org A']);
    expect(afterWrite.delta).toMatchObject({ hit: 1, full: 1 });

    // An editor's save: a new file renamed over the zone file.
    const path = join(dir, 'example.org.zone');
    const edited = `${readFileSync(path, 'utf8')}edited 300 IN A 192.0.2.3\n`;
    writeFileSync(`${path}.tmp`, edited);
    renameSync(`${path}.tmp`, path);
    const afterEdit = await countsOfOneRead(gateway, 'file');
    expect(names(afterEdit.records)).toContain('edited.example.org A');
    expect(afterEdit.delta).toMatchObject({ hit: 1, full: 1 });
  });
});

describe('records cache, rfc2136 plugin against BIND (on by default: SOA serials, IXFR)', () => {
  let bind: BindServer;
  let gateway: TestGateway;

  beforeAll(async () => {
    bind = await startBind({
      zones: [
        { name: 'corp.lan', updateKeys: ['dnsgate'] },
        { name: 'lab.lan', updateKeys: ['dnsgate'] },
      ],
      keys: [{ name: 'dnsgate', algorithm: 'hmac-sha256' }],
      // These zones hold one or two records: a change is larger than the zone, and BIND answers such an IXFR with
      // the whole zone (max-ixfr-ratio, 100 % by default), which the plugin reads whole by AXFR instead.
      options: ['max-ixfr-ratio unlimited;'],
    });
    const key = bind.keys.dnsgate!;
    gateway = await startGateway({
      env: {
        DNSGATE_PLUGIN: 'rfc2136',
        DNSGATE_RFC2136_HOSTS: bind.address,
        DNSGATE_RFC2136_ZONES: 'corp.lan,lab.lan',
        DNSGATE_RFC2136_TSIG_KEYNAME: key.name,
        DNSGATE_RFC2136_TSIG_SECRET: key.secret,
        DNSGATE_RFC2136_TSIG_ALG: key.algorithm,
      },
      plugins: [Rfc2136PluginModule],
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await bind?.dispose();
  });

  const transfers = () => metric(gateway, 'dnsgate_rfc2136_requests_total', { operation: 'axfr' });

  it('asks only the serial of an unchanged zone, reads a change made by nsupdate by IXFR, sees a write at once', async () => {
    expect(await metric(gateway, 'dnsgate_records_cache_enabled', { instance: 'rfc2136' })).toBe(1);
    await create(gateway, { dnsName: 'www.corp.lan', targets: ['10.0.0.1'], recordType: 'A' });
    const first = await countsOfOneRead(gateway, 'rfc2136');
    expect(names(first.records)).toEqual(['www.corp.lan A']);

    const axfrBefore = await transfers();
    const unchanged = await countsOfOneRead(gateway, 'rfc2136');
    expect(unchanged.records).toEqual(first.records);
    expect(unchanged.delta).toEqual({ hit: 2, incremental: 0, full: 0, revalidations: 2 });
    expect(await transfers()).toBe(axfrBefore);

    await nsupdate(bind, bind.keys.dnsgate!, 'corp.lan', [
      'update add outside.corp.lan. 300 IN A 10.0.0.9',
      'update delete www.corp.lan. A',
    ]);
    const changed = await countsOfOneRead(gateway, 'rfc2136');
    expect(names(changed.records)).toEqual(['outside.corp.lan A']);
    expect(changed.delta).toMatchObject({ hit: 1, incremental: 1, full: 0 });
    expect(await transfers()).toBe(axfrBefore);

    // dnsgate's own write is read back by the IXFR of its UPDATE, not by a whole transfer.
    await create(gateway, { dnsName: 'db.lab.lan', targets: ['10.0.1.1'], recordType: 'A' });
    const afterWrite = await countsOfOneRead(gateway, 'rfc2136');
    expect(names(afterWrite.records)).toEqual(['db.lab.lan A', 'outside.corp.lan A']);
    expect(afterWrite.delta).toMatchObject({ hit: 1, incremental: 1, full: 0 });
    expect(await transfers()).toBe(axfrBefore);
  });
});

describe('records cache, powerdns plugin (off by default: serials may not move)', () => {
  let pdns: PowerDnsTestServer;

  beforeAll(async () => {
    pdns = await startPowerDns();
    await pdns.createZone('example.org.');
  });
  afterAll(async () => {
    await pdns?.stop();
  });

  const env = (extra: Record<string, string>) => ({
    DNSGATE_PLUGIN: 'powerdns',
    DNSGATE_POWERDNS_URL: pdns.url,
    DNSGATE_POWERDNS_API_KEY: pdns.apiKey,
    ...extra,
  });

  it('is off unless turned on', async () => {
    const gateway = await startGateway({ env: env({}), plugins: [PowerDnsPluginModule] });
    try {
      expect(await metric(gateway, 'dnsgate_records_cache_enabled', { instance: 'powerdns' })).toBe(0);
      const read = await countsOfOneRead(gateway, 'powerdns');
      expect(read.delta).toEqual({ hit: 0, incremental: 0, full: 0, revalidations: 0 });
    } finally {
      await gateway.close();
    }
  });

  jest.setTimeout(60_000);

  it('turned on: serves an unchanged zone, sees an API change by its serial, and one the serial misses after the maximum age', async () => {
    const gateway = await startGateway({
      env: env({ DNSGATE_RECORDS_CACHE: 'on', DNSGATE_RECORDS_CACHE_MAX_AGE: '8s' }),
      plugins: [PowerDnsPluginModule],
    });
    try {
      await countsOfOneRead(gateway, 'powerdns');
      expect((await countsOfOneRead(gateway, 'powerdns')).delta).toMatchObject({ hit: 1, full: 0 });

      await pdns.patchZone('example.org.', [
        {
          name: 'api-change.example.org.',
          type: 'A',
          ttl: 300,
          changetype: 'REPLACE',
          records: [{ content: '192.0.2.7', disabled: false }],
        },
      ]);
      const changed = await countsOfOneRead(gateway, 'powerdns');
      expect(names(changed.records)).toContain('api-change.example.org A');
      expect(changed.delta).toMatchObject({ hit: 0, full: 1 });

      // Written straight into the database: the serial does not move, the maximum age bounds the stale read.
      const sql = `INSERT INTO records (domain_id, name, type, content, ttl, disabled, auth)
        SELECT id, 'sql-change.example.org', 'A', '192.0.2.8', 300, 0, 1 FROM domains WHERE name = 'example.org';`;
      const inserted = await runCommand('sqlite3', [join(pdns.dir, 'pdns.sqlite3'), sql]);
      expect(inserted.code).toBe(0);
      expect(names(await gateway.records())).not.toContain('sql-change.example.org A');
      const started = Date.now();
      let seen = false;
      while (!seen && Date.now() - started < 20_000) {
        seen = names(await gateway.records()).includes('sql-change.example.org A');
        if (!seen) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(seen).toBe(true);
    } finally {
      await gateway.close();
    }
  });
});
