import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { join } from 'node:path';
import {
  BackendError,
  BackendTimeoutError,
  BackendUnavailableError,
  Deadline,
  type CallContext,
  type Endpoint,
} from '@dnsgate/plugin-sdk';
import { PowerDnsAuthError } from '@dnsgate/plugin-powerdns';
import { freePort } from '../support/free-port.js';
import { runCommand } from '../support/run-command.js';
import { startPowerDns, type PowerDnsTestServer } from '../support/powerdns-server.js';
import { changes, createPowerDnsPlugin, type PluginUnderTest } from './powerdns-test-helpers.js';

/** Made through the API: PowerDNS sets its SOA-EDIT-API to DEFAULT. */
const ZONE = 'zv.test';
/** Made with `pdnsutil create-zone`, as many servers' zones are: no SOA-EDIT-API at all. */
const CLI_ZONE = 'zv-cli.test';
/** A zone made while the tests run, below ZONE: it takes names out of ZONE's answer. */
const CHILD_ZONE = `sub.${ZONE}`;

const call = (ms = 10_000): CallContext => ({ deadline: Deadline.in(ms) });

const sorted = (endpoints: readonly Endpoint[]): Endpoint[] =>
  [...endpoints].sort((a, b) => `${a.dnsName} ${a.recordType}`.localeCompare(`${b.dnsName} ${b.recordType}`));

describe('powerdns plugin: zone versions from the serials of the zone listing (for the records cache)', () => {
  jest.setTimeout(60_000);
  let server: PowerDnsTestServer;
  let pdns: PluginUnderTest;

  const pdnsutil = async (...args: string[]): Promise<void> => {
    const result = await runCommand('pdnsutil', [`--config-dir=${server.dir}`, ...args]);
    if (result.code !== 0) throw new Error(`pdnsutil ${args.join(' ')} failed: ${result.stderr}`);
  };
  const versionOf = async (zone: string): Promise<string | undefined> =>
    (await pdns.plugin.zoneVersions!.currentVersions([zone], call())).get(zone);
  const warningsAbout = (zone: string): string[] =>
    pdns.context.lines
      .filter((line) => line.level === 'warn' && line.message.startsWith(`zone ${zone}:`))
      .map((line) => line.message);

  beforeAll(async () => {
    server = await startPowerDns();
    await server.createZone(ZONE);
    await pdnsutil('create-zone', CLI_ZONE, 'ns1.example.net');
    pdns = createPowerDnsPlugin(server);
    await pdns.plugin.start!();
    await pdns.driver.applyChanges(
      changes({
        create: [
          { dnsName: `www.${ZONE}`, recordType: 'A', targets: ['192.0.2.1', '192.0.2.2'] },
          { dnsName: `txt.${ZONE}`, recordType: 'TXT', targets: ['"heritage=external-dns,external-dns/owner=a"'] },
          { dnsName: `host.${CHILD_ZONE}`, recordType: 'A', targets: ['192.0.2.3'] },
          { dnsName: `www.${CLI_ZONE}`, recordType: 'A', targets: ['192.0.2.4'] },
        ],
      }),
    );
  });

  afterAll(async () => {
    await pdns?.plugin.stop?.();
    await server?.stop();
  });

  it('is advisory: serials move only where SOA-EDIT-API makes them, never for database writes', () => {
    expect(pdns.plugin.zoneVersions?.exactness).toBe('advisory');
    expect(pdns.plugin.zoneVersions?.readZoneDifference).toBeUndefined();
  });

  it('gives an unchanged zone the same version, and the versioned read the version it was read at', async () => {
    const first = await versionOf(ZONE);
    // The stored serial, as PowerDNS itself shows it (the served edited_serial follows SOA-EDIT and the clock).
    const stored = (await server.api('GET', `/zones/${ZONE}.?rrsets=false`)).body as { serial: number };
    expect(first).toBe(String(stored.serial));
    expect(await versionOf(ZONE)).toBe(first);
    expect((await pdns.plugin.zoneVersions!.readVersionedZone(ZONE, call())).version).toBe(first);
    expect(await versionOf(ZONE)).toBe(first);
  });

  it('answers for every zone of the call in one listing, keyed as asked, leaving out zones it cannot version', async () => {
    const versions = await pdns.plugin.zoneVersions!.currentVersions([ZONE, CLI_ZONE, 'absent.test'], call());
    expect([...versions.keys()].sort()).toEqual([CLI_ZONE, ZONE]);
  });

  it('reads a configured zone that is not on the server as records() does: no records, said in the log', async () => {
    const configured = createPowerDnsPlugin(server, { DNSGATE_POWERDNS_ZONES: `${ZONE},missing.test` });
    try {
      expect([
        ...(await configured.plugin.zoneVersions!.currentVersions([ZONE, 'missing.test'], call())).keys(),
      ]).toEqual([ZONE]);
      const read = await configured.plugin.zoneVersions!.readVersionedZone('missing.test', call());
      expect(read.endpoints).toEqual([]);
      expect(await configured.driver.records({ zones: ['missing.test'] })).toEqual([]);
      expect(
        configured.context.lines.filter(
          (l) => l.level === 'warn' && l.message.startsWith('zone missing.test does not exist'),
        ),
      ).toHaveLength(2);
    } finally {
      await configured.plugin.stop?.();
    }
  });

  it('moves the version on a change through dnsgate and on one through the API directly', async () => {
    const before = await versionOf(ZONE);
    await pdns.driver.applyChanges(
      changes({ create: [{ dnsName: `new.${ZONE}`, recordType: 'A', targets: ['192.0.2.5'] }] }),
    );
    const afterDnsgate = await versionOf(ZONE);
    expect(afterDnsgate).not.toBe(before);
    await server.patchZone(ZONE, [{ name: `api.${ZONE}.`, type: 'A', ttl: 300, records: [{ content: '192.0.2.6' }] }]);
    const afterApi = await versionOf(ZONE);
    expect(afterApi).not.toBe(afterDnsgate);
    expect(afterApi).not.toBe(before);
    const read = await pdns.plugin.zoneVersions!.readVersionedZone(ZONE, call());
    expect(read.version).toBe(afterApi);
    expect(read.endpoints.some((e) => e.dnsName === `api.${ZONE}`)).toBe(true);
  });

  it('keeps the version of a change written straight into the database: why the versions are only advisory', async () => {
    const before = await versionOf(ZONE);
    const inserted = await runCommand('sqlite3', [
      join(server.dir, 'pdns.sqlite3'),
      `INSERT INTO records (domain_id, name, type, content, ttl, prio, disabled, auth)
       SELECT id, 'db.${ZONE}', 'A', '192.0.2.7', 300, 0, 0, 1 FROM domains WHERE name = '${ZONE}';`,
    ]);
    expect(inserted.stderr).toBe('');
    expect(await versionOf(ZONE)).toBe(before);
    expect((await pdns.driver.records({ zones: [ZONE] })).some((e) => e.dnsName === `db.${ZONE}`)).toBe(true);
  });

  it('reads a zone whole exactly as records() reports it', async () => {
    for (const zone of [ZONE, CLI_ZONE]) {
      const read = await pdns.plugin.zoneVersions!.readVersionedZone(zone, call());
      expect(read.endpoints.length).toBeGreaterThan(1);
      expect(sorted(read.endpoints)).toEqual(sorted(await pdns.driver.records({ zones: [zone] })));
    }
  });

  it('moves the version of a zone when a managed zone is made below it, whose names then leave its answer', async () => {
    const before = await versionOf(ZONE);
    expect(
      (await pdns.plugin.zoneVersions!.readVersionedZone(ZONE, call())).endpoints.some(
        (e) => e.dnsName === `host.${CHILD_ZONE}`,
      ),
    ).toBe(true);
    await server.createZone(CHILD_ZONE);
    const after = await versionOf(ZONE);
    expect(after).not.toBe(before);
    const read = await pdns.plugin.zoneVersions!.readVersionedZone(ZONE, call());
    expect(read.version).toBe(after);
    expect(read.endpoints.some((e) => e.dnsName === `host.${CHILD_ZONE}`)).toBe(false);
    expect(sorted(read.endpoints)).toEqual(sorted(await pdns.driver.records({ zones: [ZONE] })));
  });

  it('says once, naming the zone and what to set, that a zone without SOA-EDIT-API never moves its serial', async () => {
    // What PowerDNS 4.7 really does with a zone made by pdnsutil: the serial stays put through API changes.
    const before = await versionOf(CLI_ZONE);
    await pdns.driver.applyChanges(
      changes({ create: [{ dnsName: `new.${CLI_ZONE}`, recordType: 'A', targets: ['192.0.2.8'] }] }),
    );
    expect(await versionOf(CLI_ZONE)).toBe(before);

    await pdns.plugin.zoneVersions!.readVersionedZone(CLI_ZONE, call());
    await pdns.plugin.zoneVersions!.readVersionedZone(CLI_ZONE, call());
    const warnings = warningsAbout(CLI_ZONE);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('SOA-EDIT-API is not set');
    expect(warnings[0]).toContain(`pdnsutil set-meta ${CLI_ZONE} SOA-EDIT-API DEFAULT`);
    expect(warnings[0]).toContain('DNSGATE_RECORDS_CACHE_MAX_AGE');
    expect(warningsAbout(ZONE)).toEqual([]);

    // The command the line gives, run as given (against this server's config), moves the serial from then on.
    const [, ...args] = /`(pdnsutil [^`]+)`/.exec(warnings[0]!)![1]!.split(' ');
    await pdnsutil(...args);
    await pdns.plugin.zoneVersions!.readVersionedZone(CLI_ZONE, call());
    expect(
      pdns.context.lines.some(
        (l) => l.level === 'log' && l.message.includes(`zone ${CLI_ZONE}: SOA-EDIT-API is now DEFAULT`),
      ),
    ).toBe(true);
    const fixed = await versionOf(CLI_ZONE);
    await pdns.driver.applyChanges(
      changes({ create: [{ dnsName: `newer.${CLI_ZONE}`, recordType: 'A', targets: ['192.0.2.9'] }] }),
    );
    expect(await versionOf(CLI_ZONE)).not.toBe(fixed);
    expect(warningsAbout(CLI_ZONE)).toHaveLength(1);
  });

  it('names EPOCH as untrusted too: two changes in one second share a serial', async () => {
    await server.api('PUT', `/zones/${ZONE}.`, { soa_edit_api: 'EPOCH' });
    try {
      await pdns.plugin.zoneVersions!.readVersionedZone(ZONE, call());
      expect(warningsAbout(ZONE)).toEqual([expect.stringContaining('SOA-EDIT-API is EPOCH')]);
    } finally {
      await server.api('PUT', `/zones/${ZONE}.`, { soa_edit_api: 'DEFAULT' });
    }
  });

  it("starts no request once the call's deadline has passed: the SDK's timeout error (a 504)", async () => {
    const spent: CallContext = { deadline: Deadline.in(0) };
    await expect(pdns.plugin.zoneVersions!.currentVersions([ZONE], spent)).rejects.toBeInstanceOf(BackendTimeoutError);
    await expect(pdns.plugin.zoneVersions!.readVersionedZone(ZONE, spent)).rejects.toBeInstanceOf(BackendTimeoutError);
  });

  it('fails a listing it cannot get with the SDK error types (a 503 when unreachable, a 502 for a refused key)', async () => {
    const closed = createPowerDnsPlugin(server, { DNSGATE_POWERDNS_URL: `http://127.0.0.1:${await freePort()}` });
    const wrongKey = createPowerDnsPlugin(server, { DNSGATE_POWERDNS_API_KEY: 'not-the-key' });
    try {
      const unreachable = await closed.plugin
        .zoneVersions!.currentVersions([ZONE], call(1_500))
        .catch((e: unknown) => e);
      expect(unreachable).toBeInstanceOf(BackendUnavailableError);
      expect(unreachable).toMatchObject({ kind: 'unavailable', statusCode: 503 });
      const rejected = await wrongKey.plugin.zoneVersions!.currentVersions([ZONE], call()).catch((e: unknown) => e);
      expect(rejected).toBeInstanceOf(PowerDnsAuthError);
      expect(rejected).toBeInstanceOf(BackendError);
      expect(String((rejected as Error).message)).not.toContain('not-the-key');
    } finally {
      await closed.plugin.stop?.();
      await wrongKey.plugin.stop?.();
    }
  });
});
