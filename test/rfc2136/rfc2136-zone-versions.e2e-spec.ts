import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BackendError, Deadline, type CallContext, type Endpoint, type VersionedZone } from '@dnsgate/plugin-sdk';
import { nsupdate, startBind, type BindKey, type BindServer } from '../support/bind-server.js';
import { runCommand } from '../support/run-command.js';
import { changes, createPlugin, rfc2136Env, sorted, type PluginUnderTest } from './rfc2136-test-kit.js';

const ZONES = ['versions.test', 'sub.versions.test', 'other.test'];

/**
 * Records enough that a few changes are smaller than the zone: BIND answers
 * an IXFR larger than the zone (max-ixfr-ratio, 100 % by default) in the
 * AXFR form.
 */
function filler(count = 40): string[] {
  return Array.from({ length: count }, (_, i) => `filler${i} 300 IN A 198.51.100.${i}`);
}

function call(): CallContext {
  return { deadline: Deadline.in(15_000) };
}

/** DNS messages of one operation this plugin instance exchanged, whatever their outcome. */
async function exchanges(t: PluginUnderTest, operation: string): Promise<number> {
  const metric = await t.context.registry.getSingleMetric('dnsgate_rfc2136_requests_total')!.get();
  return metric.values.filter((v) => v.labels.operation === operation).reduce((n, v) => n + v.value, 0);
}

function versions(t: PluginUnderTest) {
  return t.plugin.zoneVersions;
}

function asSet(endpoints: readonly Endpoint[]): Endpoint[] {
  return sorted([...endpoints]);
}

describe('rfc2136 zone versions against a real BIND 9: SOA serials and IXFR', () => {
  let bind: BindServer;
  let key: BindKey;
  let t: PluginUnderTest;

  beforeAll(async () => {
    bind = await startBind({
      zones: [
        ...ZONES.map((name) => ({ name, updateKeys: ['dnsgate'], extraRecords: filler() })),
        { name: 'forgetful.test', updateKeys: ['dnsgate'], extraRecords: filler() },
      ],
      keys: [{ name: 'dnsgate', algorithm: 'hmac-sha256' }],
    });
    key = bind.keys.dnsgate!;
  });
  afterAll(async () => bind?.dispose());
  beforeEach(async () => {
    t = createPlugin(rfc2136Env([bind], [...ZONES, 'forgetful.test'], key));
    await t.plugin.start();
  });

  it('is exact, and gives each zone its SOA serial with one SOA query per zone', async () => {
    expect(versions(t).exactness).toBe('exact');
    const before = await exchanges(t, 'soa');
    const first = await versions(t).currentVersions(['versions.test', 'other.test'], call());
    expect(await exchanges(t, 'soa')).toBe(before + 2);
    expect([...first.keys()].sort()).toEqual(['other.test', 'versions.test']);
    const dig = await runCommand('dig', ['@127.0.0.1', '-p', String(bind.port), '+short', 'versions.test', 'SOA']);
    expect(first.get('versions.test')).toBe(dig.stdout.trim().split(/\s+/)[2]);

    // Unchanged: the same version. Changed: another one.
    expect((await versions(t).currentVersions(['versions.test'], call())).get('versions.test')).toBe(
      first.get('versions.test'),
    );
    await nsupdate(bind, key, 'other.test', ['update add bump.other.test 300 A 192.0.2.1']);
    const second = await versions(t).currentVersions(['versions.test', 'other.test'], call());
    expect(second.get('versions.test')).toBe(first.get('versions.test'));
    expect(second.get('other.test')).not.toBe(first.get('other.test'));

    // A zone this instance does not manage: no version (the cache reads it whole), and no records, as records() says.
    expect((await versions(t).currentVersions(['elsewhere.test'], call())).size).toBe(0);
    expect((await versions(t).readVersionedZone('elsewhere.test', call())).endpoints).toEqual([]);
    expect(await t.driver.records({ zones: ['elsewhere.test'] })).toEqual([]);
  });

  it('reads a zone whole at the serial of the AXFR, as records() reports it', async () => {
    await nsupdate(bind, key, 'versions.test', ['update add whole.versions.test 300 A 192.0.2.2']);
    const read = await versions(t).readVersionedZone('versions.test', call());
    expect(read.version).toBe((await versions(t).currentVersions(['versions.test'], call())).get('versions.test'));
    expect(asSet(read.endpoints)).toEqual(asSet(await t.driver.records({ zones: ['versions.test'] })));
    expect(read.endpoints).toContainEqual({
      dnsName: 'whole.versions.test',
      recordType: 'A',
      targets: ['192.0.2.2'],
      recordTTL: 300,
    });
  });

  it('brings a cached read up to date by IXFR after changes through the plugin and by nsupdate', async () => {
    await t.driver.applyChanges(
      changes({
        create: await t.driver.adjustEndpoints([
          { dnsName: 'ttl.versions.test', recordType: 'A', targets: ['192.0.2.10', '192.0.2.11'], recordTTL: 300 },
          { dnsName: 'gone.versions.test', recordType: 'TXT', targets: ['"going"'] },
          { dnsName: 'again.versions.test', recordType: 'AAAA', targets: ['2001:db8::1'] },
          { dnsName: 'mail.versions.test', recordType: 'MX', targets: ['10 mx1.example.net'] },
        ]),
      }),
    );
    const cached = await versions(t).readVersionedZone('versions.test', call());
    const frozen = JSON.stringify(cached.endpoints);

    // Through the plugin: a TTL change, a delete, and a record set emptied then recreated.
    const current = await t.driver.records({ zones: ['versions.test'] });
    const find = (name: string, type: string) => current.find((e) => e.dnsName === name && e.recordType === type)!;
    await t.driver.applyChanges(
      changes({
        updateOld: [find('ttl.versions.test', 'A')],
        updateNew: [
          { dnsName: 'ttl.versions.test', recordType: 'A', targets: ['192.0.2.10', '192.0.2.12'], recordTTL: 60 },
        ],
        delete: [find('gone.versions.test', 'TXT'), find('again.versions.test', 'AAAA')],
      }),
    );
    await t.driver.applyChanges(
      changes({
        create: [{ dnsName: 'again.versions.test', recordType: 'AAAA', targets: ['2001:db8::2'], recordTTL: 120 }],
      }),
    );
    // By nsupdate, outside dnsgate: an RR added to a set, a TTL changed, glue below a child zone, a
    // type dnsgate leaves alone, and a CNAME.
    await nsupdate(bind, key, 'versions.test', [
      'update add mail.versions.test 300 MX 20 mx2.example.net.',
      'update add ttl.versions.test 30 A 192.0.2.13',
      'update add ns.sub.versions.test 300 A 192.0.2.53',
      'update add hinfo.versions.test 300 HINFO "PC" "Linux"',
      'update add alias.versions.test 300 CNAME whole.versions.test.',
    ]);
    await nsupdate(bind, key, 'versions.test', ['update delete mail.versions.test MX 10 mx1.example.net.']);

    const axfrsBefore = await exchanges(t, 'axfr');
    const ixfrsBefore = await exchanges(t, 'ixfr');
    const updated = await versions(t).readZoneDifference!('versions.test', cached, call());
    expect(await exchanges(t, 'ixfr')).toBe(ixfrsBefore + 1);
    expect(await exchanges(t, 'axfr')).toBe(axfrsBefore);
    expect(updated).toBeDefined();
    const whole = await versions(t).readVersionedZone('versions.test', call());
    expect(updated!.version).toBe(whole.version);
    expect(asSet(updated!.endpoints)).toEqual(asSet(whole.endpoints));
    expect(asSet(updated!.endpoints)).toEqual(asSet(await t.driver.records({ zones: ['versions.test'] })));
    expect(updated!.endpoints).toContainEqual({
      dnsName: 'ttl.versions.test',
      recordType: 'A',
      targets: ['192.0.2.10', '192.0.2.12', '192.0.2.13'],
      recordTTL: 30,
    });
    expect(updated!.endpoints).toContainEqual({
      dnsName: 'again.versions.test',
      recordType: 'AAAA',
      targets: ['2001:db8::2'],
      recordTTL: 120,
    });
    expect(updated!.endpoints.find((e) => e.dnsName === 'gone.versions.test')).toBeUndefined();
    expect(updated!.endpoints.find((e) => e.dnsName === 'ns.sub.versions.test')).toBeUndefined();
    // The cached read is shared by the cache: untouched.
    expect(JSON.stringify(cached.endpoints)).toBe(frozen);

    // And a difference read from there on goes on from the new state.
    await nsupdate(bind, key, 'versions.test', ['update delete alias.versions.test CNAME']);
    const next = await versions(t).readZoneDifference!('versions.test', updated!, call());
    expect(asSet(next!.endpoints)).toEqual(asSet(await t.driver.records({ zones: ['versions.test'] })));
    expect(next!.endpoints.find((e) => e.dnsName === 'alias.versions.test')).toBeUndefined();
  });

  it('keeps the cached read when the zone did not change (the "you are current" reply)', async () => {
    const cached = await versions(t).readVersionedZone('other.test', call());
    const ixfrsBefore = await exchanges(t, 'ixfr');
    const again = await versions(t).readZoneDifference!('other.test', cached, call());
    expect(again).toBe(cached);
    expect(await exchanges(t, 'ixfr')).toBe(ixfrsBefore + 1);
  });

  it('answers undefined when the server no longer has the cached version, or went back to an older serial', async () => {
    await nsupdate(bind, key, 'forgetful.test', ['update add a.forgetful.test 300 A 192.0.2.4']);
    const cached = await versions(t).readVersionedZone('forgetful.test', call());
    const serial = Number(cached.version);
    // The zone file rewritten with a newer serial and the journal gone: the server holds no
    // history back to the cached serial.
    await bind.stop();
    const zoneFile = join(bind.dir, 'forgetful.test.zone');
    rmSync(`${zoneFile}.jnl`, { force: true });
    const zone = (soaSerial: number, extra: string) =>
      [
        '$ORIGIN forgetful.test.',
        '$TTL 3600',
        `@ IN SOA ns1.dnsgate-test.invalid. hostmaster.forgetful.test. ${soaSerial} 3600 600 86400 60`,
        '@ IN NS ns1.dnsgate-test.invalid.',
        ...filler(),
        extra,
        '',
      ].join('\n');
    writeFileSync(zoneFile, zone(serial + 10, 'b 300 IN A 192.0.2.5'));
    await bind.restart();
    await nsupdate(bind, key, 'forgetful.test', ['update add c.forgetful.test 300 A 192.0.2.6']);
    expect(await versions(t).readZoneDifference!('forgetful.test', cached, call())).toBeUndefined();

    // An older serial than the cached one: the server's zone went back (restored from an older file).
    const newer = await versions(t).readVersionedZone('forgetful.test', call());
    await bind.stop();
    rmSync(`${zoneFile}.jnl`, { force: true });
    writeFileSync(zoneFile, zone(Number(newer.version) - 5, 'd 300 IN A 192.0.2.7'));
    await bind.restart();
    expect(await versions(t).readZoneDifference!('forgetful.test', newer, call())).toBeUndefined();
    const reread: VersionedZone = await versions(t).readVersionedZone('forgetful.test', call());
    const names = reread.endpoints.map((e) => e.dnsName);
    expect(names).toContain('d.forgetful.test');
    expect(names).not.toContain('c.forgetful.test');
  });
});

describe('rfc2136 IXFR from a BIND with provide-ixfr no', () => {
  let bind: BindServer;
  let t: PluginUnderTest;

  beforeAll(async () => {
    bind = await startBind({
      zones: [{ name: 'no-ixfr.test', updateKeys: ['dnsgate'], extraRecords: filler() }],
      keys: [{ name: 'dnsgate' }],
      options: ['provide-ixfr no;'],
    });
    t = createPlugin(rfc2136Env([bind], ['no-ixfr.test'], bind.keys.dnsgate));
    await t.plugin.start();
  });
  afterAll(async () => bind?.dispose());

  it('answers undefined (read it whole) when the server does not provide IXFR', async () => {
    const cached = await t.plugin.zoneVersions.readVersionedZone('no-ixfr.test', call());
    await nsupdate(bind, bind.keys.dnsgate!, 'no-ixfr.test', ['update add x.no-ixfr.test 300 A 192.0.2.3']);
    expect(await t.plugin.zoneVersions.readZoneDifference!('no-ixfr.test', cached, call())).toBeUndefined();
    // The whole read still works, and has the change.
    const whole = await t.plugin.zoneVersions.readVersionedZone('no-ixfr.test', call());
    expect(whole.endpoints).toContainEqual({
      dnsName: 'x.no-ixfr.test',
      recordType: 'A',
      targets: ['192.0.2.3'],
      recordTTL: 300,
    });
  });
});

describe('rfc2136 IXFR when transfers need their own TSIG key', () => {
  let bind: BindServer;

  beforeAll(async () => {
    bind = await startBind({
      zones: [{ name: 'signed.test', updateKeys: ['updater'], transferKeys: ['transfer'], extraRecords: filler() }],
      keys: [{ name: 'updater' }, { name: 'transfer', algorithm: 'hmac-sha512' }],
    });
  });
  afterAll(async () => bind?.dispose());

  function pluginWithTransferKey(secret: string): PluginUnderTest {
    return createPlugin(
      rfc2136Env([bind], ['signed.test'], bind.keys.updater, {
        DNSGATE_RFC2136_AXFR_TSIG_KEYNAME: 'transfer',
        DNSGATE_RFC2136_AXFR_TSIG_SECRET: secret,
        DNSGATE_RFC2136_AXFR_TSIG_ALG: 'hmac-sha512',
      }),
    );
  }

  it('signs the IXFR with the transfer key and verifies every message of the answer', async () => {
    const t = pluginWithTransferKey(bind.keys.transfer!.secret);
    await t.plugin.start();
    const cached = await t.plugin.zoneVersions.readVersionedZone('signed.test', call());
    await nsupdate(bind, bind.keys.updater!, 'signed.test', ['update add s.signed.test 300 TXT "signed"']);
    const updated = await t.plugin.zoneVersions.readZoneDifference!('signed.test', cached, call());
    expect(updated?.endpoints).toContainEqual({
      dnsName: 's.signed.test',
      recordType: 'TXT',
      targets: ['"signed"'],
      recordTTL: 300,
    });
    expect(asSet(updated!.endpoints)).toEqual(asSet(await t.driver.records({ zones: ['signed.test'] })));
    // The transfer key is what the server checks: an unsigned IXFR is refused (not a difference).
    const unsigned = await runCommand('dig', [
      '@127.0.0.1',
      '-p',
      String(bind.port),
      `ixfr=${cached.version}`,
      'signed.test',
    ]);
    expect(unsigned.stdout).toMatch(/Transfer failed|REFUSED/);
  });

  it('throws the SDK error, never the secret, when the transfer key is wrong', async () => {
    const good = pluginWithTransferKey(bind.keys.transfer!.secret);
    await good.plugin.start();
    const cached = await good.plugin.zoneVersions.readVersionedZone('signed.test', call());
    await nsupdate(bind, bind.keys.updater!, 'signed.test', ['update add w.signed.test 300 A 192.0.2.9']);

    const wrongSecret = Buffer.alloc(64, 7).toString('base64');
    const wrong = pluginWithTransferKey(wrongSecret);
    const difference = wrong.plugin.zoneVersions.readZoneDifference!('signed.test', cached, call());
    await expect(difference).rejects.toBeInstanceOf(BackendError);
    await expect(difference).rejects.toThrow(/zone signed\.test \(IXFR\): BADSIG/);
    await expect(wrong.plugin.zoneVersions.currentVersions(['signed.test'], call())).rejects.toBeInstanceOf(
      BackendError,
    );
    const error = await difference.then(
      () => new Error('expected a failure'),
      (e: Error) => e,
    );
    expect(`${error.message} ${error.stack}`).not.toContain(wrongSecret);
  });
});
