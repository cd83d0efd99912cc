import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { request as httpRequest, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Endpoint } from '@dnsgate/plugin-sdk';
import { runCommand } from '../support/run-command.js';
import { startPowerDns, type PowerDnsTestServer } from '../support/powerdns-server.js';
import { changes, createPowerDnsPlugin, metricValue, type PluginUnderTest } from './powerdns-test-helpers.js';

const ZONE = 'zr.test';
const OTHER_ZONE = 'zr2.test';

/**
 * A forwarding proxy in front of PowerDNS that records the paths asked and,
 * when told, answers 404 to zone exports, as a proxy passing only some API
 * paths would.
 */
class PathProxy {
  readonly paths: string[] = [];
  refuseExport = false;
  /** Paths containing this are answered 400, as a broken server or proxy would. */
  failPathsWith?: string;
  private constructor(private readonly server: Server) {}

  static async start(target: PowerDnsTestServer): Promise<PathProxy> {
    const proxy: PathProxy = new PathProxy(
      createServer((req, res) => {
        proxy.paths.push(req.url!);
        if (proxy.failPathsWith && req.url!.includes(proxy.failPathsWith)) {
          res.writeHead(400, { 'content-type': 'text/plain' }).end('Bad Request');
          return;
        }
        if (proxy.refuseExport && req.url!.endsWith('/export')) {
          res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
          return;
        }
        const upstream = httpRequest(
          { host: '127.0.0.1', port: target.apiPort, method: req.method, path: req.url, headers: req.headers },
          (answer) => {
            res.writeHead(answer.statusCode!, answer.headers);
            answer.pipe(res);
          },
        );
        req.pipe(upstream);
      }),
    );
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  exports(): number {
    return this.paths.filter((path) => path.endsWith('/export')).length;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** Endpoints in a stable order, for comparing two reads. */
const sorted = (endpoints: Endpoint[]): Endpoint[] =>
  [...endpoints].sort((a, b) => `${a.dnsName} ${a.recordType}`.localeCompare(`${b.dnsName} ${b.recordType}`));

describe('powerdns plugin: zones read as text exports, JSON where that cannot be used', () => {
  jest.setTimeout(30_000);
  let server: PowerDnsTestServer;
  let proxy: PathProxy;
  let viaExport: PluginUnderTest;
  let viaJson: PluginUnderTest;

  beforeAll(async () => {
    server = await startPowerDns();
    await server.createZone(ZONE);
    await server.createZone(OTHER_ZONE);
    proxy = await PathProxy.start(server);
    viaExport = createPowerDnsPlugin(server, {
      DNSGATE_POWERDNS_URL: proxy.url,
      DNSGATE_POWERDNS_ZONES: `${ZONE},${OTHER_ZONE}`,
    });
    viaJson = createPowerDnsPlugin(server, { DNSGATE_POWERDNS_ZONE_READ: 'json', DNSGATE_POWERDNS_ZONES: ZONE });
    await viaExport.plugin.start!();
    await viaJson.plugin.start!();
    // Every type the plugin manages, several targets, TXT that needs escapes, and what Records leaves out.
    await viaJson.driver.applyChanges(
      changes({
        create: [
          { dnsName: `www.${ZONE}`, recordType: 'A', targets: ['192.0.2.2', '192.0.2.10'], recordTTL: 120 },
          { dnsName: `v6.${ZONE}`, recordType: 'AAAA', targets: ['2001:db8::1'] },
          { dnsName: `alias.${ZONE}`, recordType: 'CNAME', targets: [`www.${ZONE}`] },
          { dnsName: ZONE, recordType: 'CNAME', targets: ['lb.example.net'] },
          {
            dnsName: `txt.${ZONE}`,
            recordType: 'TXT',
            targets: ['"heritage=external-dns,external-dns/owner=default"', '"quote \\" and tab\t"'],
          },
          { dnsName: `_sip._tcp.${ZONE}`, recordType: 'SRV', targets: ['10 5 5060 sip.example.net'] },
          { dnsName: `mail.${ZONE}`, recordType: 'MX', targets: ['10 mx1.example.net', '20 mx2.example.net'] },
          { dnsName: `deleg.${ZONE}`, recordType: 'NS', targets: ['ns1.example.net'] },
          { dnsName: `caa.${ZONE}`, recordType: 'CAA', targets: ['0 issue "letsencrypt.org"'] },
          {
            dnsName: `naptr.${ZONE}`,
            recordType: 'NAPTR',
            targets: ['100 10 "S" "SIP+D2U" "" _sip._udp.example.net.'],
          },
        ],
      }),
    );
    await server.patchZone(ZONE, [
      {
        name: `mixed.${ZONE}.`,
        type: 'A',
        ttl: 300,
        records: [{ content: '192.0.2.1' }, { content: '192.0.2.9', disabled: true }],
      },
      { name: `off.${ZONE}.`, type: 'A', ttl: 300, records: [{ content: '192.0.2.3', disabled: true }] },
    ]);
  });

  afterAll(async () => {
    await viaExport?.plugin.stop?.();
    await viaJson?.plugin.stop?.();
    await proxy?.stop();
    await server?.stop();
  });

  it('reads the zone from its export and reports exactly what the JSON read reports', async () => {
    const seenBefore = proxy.paths.length; // start() asked for the zone as JSON to check it exists
    const fromExport = await viaExport.driver.records({ zones: [ZONE] });
    expect(proxy.paths.slice(seenBefore).filter((path) => path.includes(`/zones/${ZONE}.`))).toEqual([
      `/api/v1/servers/localhost/zones/${ZONE}./export`,
    ]);
    const fromJson = await viaJson.driver.records({ zones: [ZONE] });
    expect(sorted(fromExport)).toEqual(sorted(fromJson));
    // Enough of it to know both reads saw the zone, and the disabled records stayed out.
    expect(sorted(fromExport).map((e) => `${e.dnsName} ${e.recordType}`)).toEqual([
      `_sip._tcp.${ZONE} SRV`,
      `alias.${ZONE} CNAME`,
      `caa.${ZONE} CAA`,
      `deleg.${ZONE} NS`,
      `mail.${ZONE} MX`,
      `mixed.${ZONE} A`,
      `naptr.${ZONE} NAPTR`,
      `txt.${ZONE} TXT`,
      `v6.${ZONE} AAAA`,
      `www.${ZONE} A`,
      `${ZONE} CNAME`,
      `${ZONE} NS`,
    ]);
    expect(fromExport.find((e) => e.dnsName === `mixed.${ZONE}`)?.targets).toEqual(['192.0.2.1']);
    expect(fromExport.some((e) => e.dnsName === `off.${ZONE}`)).toBe(false);
    expect(await metricValue(viaExport.context, 'dnsgate_powerdns_zone_read_fallbacks_total')).toBe(0);
  });

  it('checks a batch against the export too: a create of an rrset that exists is refused', async () => {
    const exportsBefore = proxy.exports();
    await expect(
      viaExport.driver.applyChanges(
        changes({ create: [{ dnsName: `www.${ZONE}`, recordType: 'A', targets: ['192.0.2.99'] }] }),
      ),
    ).rejects.toThrow(/exists/);
    expect(proxy.exports()).toBe(exportsBefore + 1);
    expect((await server.rrset(ZONE, `www.${ZONE}`, 'A'))?.records.map((r) => r.content).sort()).toEqual([
      '192.0.2.10',
      '192.0.2.2',
    ]);
  });

  it('reads a zone whose export is not line per record (a newline stored in a record) as JSON', async () => {
    // Written straight into the database, as a tool other than the API might: the export then splits the record.
    const db = join(server.dir, 'pdns.sqlite3');
    const insert = await runCommand('sqlite3', [
      db,
      `INSERT INTO records (domain_id, name, type, content, ttl, prio, disabled, auth)
       SELECT id, 'raw.${ZONE}', 'TXT', '"line one' || char(10) || 'line two"', 300, 0, 0, 1 FROM domains WHERE name = '${ZONE}';`,
    ]);
    expect(insert.stderr).toBe('');
    const fromExport = await viaExport.driver.records({ zones: [ZONE] });
    expect(
      await metricValue(viaExport.context, 'dnsgate_powerdns_zone_read_fallbacks_total', { reason: 'format' }),
    ).toBe(1);
    expect(viaExport.context.lines.some((l) => l.level === 'warn' && /export of zone zr\.test/.test(l.message))).toBe(
      true,
    );
    expect(sorted(fromExport)).toEqual(sorted(await viaJson.driver.records({ zones: [ZONE] })));
    expect(fromExport.some((e) => e.dnsName === `raw.${ZONE}`)).toBe(true);
    const removed = await runCommand('sqlite3', [db, `DELETE FROM records WHERE name = 'raw.${ZONE}';`]);
    expect(removed.stderr).toBe('');
  });

  it('fails a read of several zones when one cannot be read, naming it, and reads them all again after', async () => {
    proxy.failPathsWith = `/zones/${OTHER_ZONE}.`;
    try {
      await expect(viaExport.driver.records({ zones: [ZONE, OTHER_ZONE] })).rejects.toThrow(
        /could not read 1 of 2 zones from PowerDNS: zr2\.test: PowerDNS answered 400/,
      );
    } finally {
      proxy.failPathsWith = undefined;
    }
    const both = await viaExport.driver.records({ zones: [ZONE, OTHER_ZONE] });
    expect(both.some((e) => e.dnsName === `www.${ZONE}`)).toBe(true);
    expect(both.some((e) => e.dnsName === OTHER_ZONE && e.recordType === 'NS')).toBe(true);
  });

  it('falls back to JSON for good when the export path answers 404 for a zone that exists', async () => {
    proxy.refuseExport = true;
    const expected = sorted(await viaJson.driver.records({ zones: [ZONE] }));
    expect(sorted(await viaExport.driver.records({ zones: [ZONE] }))).toEqual(expected);
    expect(
      await metricValue(viaExport.context, 'dnsgate_powerdns_zone_read_fallbacks_total', { reason: 'export_refused' }),
    ).toBe(1);
    const exportsAfterFirst = proxy.exports();
    expect(sorted(await viaExport.driver.records({ zones: [ZONE] }))).toEqual(expected);
    expect(proxy.exports()).toBe(exportsAfterFirst);
    expect(viaExport.context.lines.filter((l) => /zones are read as JSON from now on/.test(l.message))).toHaveLength(1);
  });
});
