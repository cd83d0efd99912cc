import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { BatchPipeline, type Endpoint } from '@dnsgate/plugin-sdk';
import { digShort, runCommand } from '../support/run-command.js';
import { startPowerDns, type PowerDnsTestServer } from '../support/powerdns-server.js';
import {
  changes,
  createPowerDnsPlugin,
  find,
  metricValue,
  notLanded,
  planDiff,
  type PluginUnderTest,
} from './powerdns-test-helpers.js';

const OWNER_TXT = '"heritage=external-dns,external-dns/owner=default,external-dns/resource=service/default/web"';

describe('powerdns plugin against a real PowerDNS (records and changes)', () => {
  jest.setTimeout(30_000);
  let server: PowerDnsTestServer;
  let under: PluginUnderTest;

  beforeAll(async () => {
    server = await startPowerDns();
    await server.createZone('example.com');
    await server.createZone('example.org');
    await server.createZone('sub.example.com');
    await server.createZone('2.0.192.in-addr.arpa');
    under = createPowerDnsPlugin(server);
    await under.plugin.start!();
  });

  afterAll(async () => {
    await under?.plugin.stop?.();
    await server?.stop();
  });

  const dig = (name: string, type: string) => digShort('127.0.0.1', server.dnsPort, name, type);
  const apply = (partial: Parameters<typeof changes>[0]) => under.driver.applyChanges(changes(partial));
  const records = () =>
    under.driver.records({ zones: ['example.com', 'example.org', 'sub.example.com', '2.0.192.in-addr.arpa'] });

  it('discovers the zones on the server', async () => {
    expect((await under.plugin.zones()).sort()).toEqual([
      '2.0.192.in-addr.arpa',
      'example.com',
      'example.org',
      'sub.example.com',
    ]);
    await expect(under.plugin.readiness()).resolves.toEqual({ ready: true });
  });

  it('creates every record type ExternalDNS sends and reads each back as AdjustEndpoints writes it', async () => {
    const desired: Endpoint[] = [
      {
        dnsName: 'www.example.com',
        recordType: 'A',
        targets: ['192.0.2.10', '192.0.2.2', '192.0.2.10'],
        recordTTL: 120,
      },
      { dnsName: 'V6.Example.com.', recordType: 'AAAA', targets: ['2001:DB8:0:0::1', '::ffff:192.0.2.1'] },
      { dnsName: 'alias.example.com', recordType: 'CNAME', targets: ['WWW.example.com.'] },
      { dnsName: 'www.example.com', recordType: 'TXT', targets: [OWNER_TXT] },
      { dnsName: 'plain.example.com', recordType: 'TXT', targets: ['v=spf1 -all', 'say "hi" \\o/', 'café'] },
      { dnsName: 'long.example.com', recordType: 'TXT', targets: ['x'.repeat(300)] },
      {
        dnsName: '_sip._tcp.example.com',
        recordType: 'SRV',
        targets: ['10 5 5060 sip.example.com', '20 0 5061 sip2.example.com.'],
      },
      { dnsName: 'example.org', recordType: 'MX', targets: ['10 mx1.example.org', '20 MX2.example.org.'] },
      { dnsName: 'deleg.example.org', recordType: 'NS', targets: ['ns1.example.net', 'ns2.example.net.'] },
      { dnsName: '10.2.0.192.in-addr.arpa', recordType: 'PTR', targets: ['www.example.com'] },
      {
        dnsName: 'sip.example.org',
        recordType: 'NAPTR',
        targets: [
          '100 10 "u" "E2U+sip" "!^(.*)$!sip:\\\\1@example.org!" .',
          '100 20 "s" "SIP+D2U" "" _sip._udp.example.org.',
        ],
      },
      {
        dnsName: 'example.org',
        recordType: 'CAA',
        targets: ['0 issue "letsencrypt.org"', '128 IODEF "mailto:sec@example.org"'],
      },
      { dnsName: 'old.example.org', recordType: 'DNAME', targets: ['example.com'] },
    ];
    const adjusted = await under.driver.adjustEndpoints(desired);
    expect(adjusted).toHaveLength(desired.length);
    expect(find(adjusted, 'www.example.com', 'A')).toEqual({
      dnsName: 'www.example.com',
      recordType: 'A',
      targets: ['192.0.2.10', '192.0.2.2'],
      recordTTL: 120,
    });
    expect(find(adjusted, 'v6.example.com', 'AAAA')?.targets).toEqual(['2001:db8::1', '::ffff:c000:201']);
    expect(find(adjusted, 'plain.example.com', 'TXT')?.targets).toEqual([
      '"café"',
      '"say \\"hi\\" \\\\o/"',
      '"v=spf1 -all"',
    ]);
    expect(find(adjusted, 'alias.example.com', 'CNAME')).toMatchObject({
      targets: ['www.example.com'],
      recordTTL: 300,
    });

    await under.driver.applyChanges(changes({ create: adjusted }));
    const current = await records();
    for (const want of adjusted) {
      expect(find(current, want.dnsName, want.recordType)).toEqual(want);
    }
    // The same bytes are served on the DNS port.
    expect(await dig('www.example.com', 'A')).toEqual(['192.0.2.10', '192.0.2.2']);
    expect(await dig('v6.example.com', 'AAAA')).toEqual(['2001:db8::1', '::ffff:192.0.2.1']);
    expect(await dig('alias.example.com', 'CNAME')).toEqual(['www.example.com.']);
    expect(await dig('www.example.com', 'TXT')).toEqual([OWNER_TXT]);
    expect(await dig('plain.example.com', 'TXT')).toEqual([
      '"caf\\195\\169"',
      '"say \\"hi\\" \\\\o/"',
      '"v=spf1 -all"',
    ]);
    expect(await dig('long.example.com', 'TXT')).toEqual([`"${'x'.repeat(255)}" "${'x'.repeat(45)}"`]);
    expect(await dig('_sip._tcp.example.com', 'SRV')).toEqual([
      '10 5 5060 sip.example.com.',
      '20 0 5061 sip2.example.com.',
    ]);
    expect(await dig('example.org', 'MX')).toEqual(['10 mx1.example.org.', '20 mx2.example.org.']);
    expect(await dig('deleg.example.org', 'NS')).toEqual([]); // a delegation: answered as a referral
    const referral = await runCommand('dig', [
      '@127.0.0.1',
      '-p',
      String(server.dnsPort),
      '+tcp',
      '+norecurse',
      'deleg.example.org',
      'NS',
    ]);
    expect(referral.stdout).toMatch(/deleg\.example\.org\.\s+300\s+IN\s+NS\s+ns1\.example\.net\./);
    expect(await dig('10.2.0.192.in-addr.arpa', 'PTR')).toEqual(['www.example.com.']);
    expect(await dig('sip.example.org', 'NAPTR')).toEqual([
      '100 10 "u" "E2U+sip" "!^(.*)$!sip:\\\\1@example.org!" .',
      '100 20 "s" "SIP+D2U" "" _sip._udp.example.org.',
    ]);
    expect(await dig('example.org', 'CAA')).toEqual([
      '0 issue "letsencrypt.org"',
      '128 iodef "mailto:sec@example.org"',
    ]);
    expect(await dig('old.example.org', 'DNAME')).toEqual(['example.com.']);
    // And through the API, names and targets carry the trailing dot.
    expect((await server.rrset('example.com', 'alias.example.com', 'CNAME'))?.records).toEqual([
      { content: 'www.example.com.', disabled: false },
    ]);
  });

  it('writes a CNAME at the zone apex as ALIAS and reports it back as that CNAME', async () => {
    const [apex] = await under.driver.adjustEndpoints([
      { dnsName: 'example.com', recordType: 'CNAME', targets: ['lb.example.net'] },
    ]);
    await apply({ create: [apex!] });
    expect((await server.rrset('example.com', 'example.com', 'ALIAS'))?.records).toEqual([
      { content: 'lb.example.net.', disabled: false },
    ]);
    expect(await server.rrset('example.com', 'example.com', 'CNAME')).toBeUndefined();
    // dig shows the ALIAS rdata (type 65401) as the wire name lb.example.net.
    expect(await dig('example.com', 'TYPE65401')).toEqual(['\\# 16 026C62076578616D706C65036E657400']);
    const current = await records();
    expect(find(current, 'example.com', 'CNAME')).toEqual({
      dnsName: 'example.com',
      recordType: 'CNAME',
      targets: ['lb.example.net'],
      recordTTL: 300,
    });
    expect(find(current, 'example.com', 'ALIAS')).toBeUndefined();
    // An update and a delete of that CNAME go to the ALIAS.
    const [moved] = await under.driver.adjustEndpoints([
      { dnsName: 'example.com', recordType: 'CNAME', targets: ['lb2.example.net'] },
    ]);
    await apply({ updateOld: [find(current, 'example.com', 'CNAME')!], updateNew: [moved!] });
    expect((await server.rrset('example.com', 'example.com', 'ALIAS'))?.records[0]?.content).toBe('lb2.example.net.');
    await apply({ delete: [moved!] });
    expect(await server.rrset('example.com', 'example.com', 'ALIAS')).toBeUndefined();
  });

  it('keeps a CNAME at the apex beside the other records there: written as ALIAS, it may share the name', async () => {
    const wanted: Endpoint[] = [
      { dnsName: 'sub.example.com', recordType: 'CNAME', targets: ['lb.example.net'] },
      { dnsName: 'sub.example.com', recordType: 'MX', targets: ['10 mx1.example.org', '20 mx2.example.org'] },
    ];
    const adjusted = await under.driver.adjustEndpoints(wanted);
    expect(adjusted.map((e) => `${e.recordType} ${e.dnsName}`)).toEqual([
      'CNAME sub.example.com',
      'MX sub.example.com',
    ]);
    await apply({ create: adjusted });
    expect((await server.rrset('sub.example.com', 'sub.example.com', 'ALIAS'))?.records).toEqual([
      { content: 'lb.example.net.', disabled: false },
    ]);
    expect(await dig('sub.example.com', 'MX')).toEqual(['10 mx1.example.org.', '20 mx2.example.org.']);
    const current = await records();
    await apply({ delete: [find(current, 'sub.example.com', 'CNAME')!, find(current, 'sub.example.com', 'MX')!] });
    expect(await server.rrset('sub.example.com', 'sub.example.com', 'ALIAS')).toBeUndefined();
  });

  it('updates targets and TTL, pairing updateOld and updateNew by position', async () => {
    const before = await records();
    const oldA = find(before, 'www.example.com', 'A')!;
    const oldMx = find(before, 'example.org', 'MX')!;
    const [newA, newMx] = await under.driver.adjustEndpoints([
      { dnsName: 'www.example.com', recordType: 'A', targets: ['192.0.2.99'], recordTTL: 60 },
      { dnsName: 'example.org', recordType: 'MX', targets: ['5 mx9.example.org'], recordTTL: 0 },
    ]);
    await apply({ updateOld: [oldA, oldMx], updateNew: [newA!, newMx!] });
    const after = await records();
    expect(find(after, 'www.example.com', 'A')).toEqual({
      dnsName: 'www.example.com',
      recordType: 'A',
      targets: ['192.0.2.99'],
      recordTTL: 60,
    });
    expect(find(after, 'example.org', 'MX')).toEqual({
      dnsName: 'example.org',
      recordType: 'MX',
      targets: ['5 mx9.example.org'],
      recordTTL: 300,
    });
    expect(await dig('www.example.com', 'A')).toEqual(['192.0.2.99']);
    const answer = await runCommand('dig', [
      '@127.0.0.1',
      '-p',
      String(server.dnsPort),
      '+tcp',
      '+norecurse',
      '+noall',
      '+answer',
      'www.example.com',
      'A',
    ]);
    expect(answer.stdout).toMatch(/www\.example\.com\.\s+60\s+IN\s+A\s+192\.0\.2\.99/);
  });

  it('deletes rrsets, and a type change at one name goes through in one batch', async () => {
    const before = await records();
    const txt = find(before, 'plain.example.com', 'TXT')!;
    const alias = find(before, 'alias.example.com', 'CNAME')!;
    const [asA] = await under.driver.adjustEndpoints([
      { dnsName: 'alias.example.com', recordType: 'A', targets: ['192.0.2.7'] },
    ]);
    await apply({ delete: [txt, alias], create: [asA!] });
    const after = await records();
    expect(find(after, 'plain.example.com', 'TXT')).toBeUndefined();
    expect(find(after, 'alias.example.com', 'CNAME')).toBeUndefined();
    expect(find(after, 'alias.example.com', 'A')?.targets).toEqual(['192.0.2.7']);
    expect(await dig('plain.example.com', 'TXT')).toEqual([]);
    expect(await dig('alias.example.com', 'A')).toEqual(['192.0.2.7']);
  });

  it('sends one PATCH per zone for a batch across several zones, each name to its longest zone', async () => {
    const patchesBefore = await metricValue(under.context, 'dnsgate_powerdns_api_requests_total', { method: 'PATCH' });
    const batch = await under.driver.adjustEndpoints([
      { dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'] },
      { dnsName: 'b.example.com', recordType: 'A', targets: ['192.0.2.2'] },
      { dnsName: 'a.example.org', recordType: 'A', targets: ['192.0.2.3'] },
      { dnsName: 'x.sub.example.com', recordType: 'A', targets: ['192.0.2.4'] },
      { dnsName: 'x.sub.example.com', recordType: 'TXT', targets: [OWNER_TXT] },
    ]);
    await apply({ create: batch });
    const patchesAfter = await metricValue(under.context, 'dnsgate_powerdns_api_requests_total', { method: 'PATCH' });
    expect(patchesAfter - patchesBefore).toBe(3);
    expect(await server.rrset('sub.example.com', 'x.sub.example.com', 'A')).toBeDefined();
    expect(await server.rrset('example.com', 'x.sub.example.com', 'A')).toBeUndefined();
    const current = await records();
    expect(current.filter((e) => e.dnsName === 'x.sub.example.com' && e.recordType === 'A')).toHaveLength(1);
    expect(await dig('x.sub.example.com', 'A')).toEqual(['192.0.2.4']);
    expect(await dig('a.example.org', 'A')).toEqual(['192.0.2.3']);
  });

  it('never sends a record outside every managed zone: AdjustEndpoints drops it, ApplyChanges names it', async () => {
    const outside: Endpoint = {
      dnsName: 'www.notmanaged.test',
      recordType: 'A',
      targets: ['192.0.2.5'],
      recordTTL: 300,
    };
    const lookalike: Endpoint = { dnsName: 'myexample.com', recordType: 'A', targets: ['192.0.2.6'], recordTTL: 300 };
    const inside: Endpoint = { dnsName: 'in.example.com', recordType: 'A', targets: ['192.0.2.8'], recordTTL: 300 };
    const adjusted = await under.driver.adjustEndpoints([outside, lookalike, inside]);
    expect(adjusted.map((e) => e.dnsName)).toEqual(['in.example.com']);
    const patchesBefore = await metricValue(under.context, 'dnsgate_powerdns_api_requests_total', { method: 'PATCH' });
    const report = await under.driver.applyReport(changes({ create: [outside, lookalike, inside] }));
    expect(await metricValue(under.context, 'dnsgate_powerdns_api_requests_total', { method: 'PATCH' })).toBe(
      patchesBefore + 1,
    );
    expect(notLanded(report)).toEqual(['create A www.notmanaged.test: no_zone', 'create A myexample.com: no_zone']);
    expect(report.statusCode()).toBe(500);
    expect(report.summary()).toMatch(/no managed zone holds "www\.notmanaged\.test"/);
    expect(report.summary()).toMatch(/no managed zone holds "myexample\.com"/);
    expect(report.applied.map((c) => c.desired?.dnsName)).toEqual(['in.example.com']);
    expect(await dig('in.example.com', 'A')).toEqual(['192.0.2.8']);
  });

  it('skips disabled records and reports types it does not manage not at all', async () => {
    await server.patchZone('example.com', [
      {
        name: 'mixed.example.com.',
        type: 'A',
        ttl: 300,
        records: [{ content: '192.0.2.1' }, { content: '192.0.2.2', disabled: true }],
      },
      { name: 'off.example.com.', type: 'A', ttl: 300, records: [{ content: '192.0.2.3', disabled: true }] },
      { name: 'hinfo.example.com.', type: 'HINFO', ttl: 300, records: [{ content: '"PC" "Linux"' }] },
    ]);
    const current = await records();
    expect(find(current, 'mixed.example.com', 'A')?.targets).toEqual(['192.0.2.1']);
    expect(find(current, 'off.example.com', 'A')).toBeUndefined();
    expect(current.some((e) => e.recordType === 'HINFO' || e.recordType === 'SOA')).toBe(false);
  });

  it('reads TXT written by others, quoted or split, in the canonical form', async () => {
    await server.patchZone('example.com', [
      { name: 'ext.example.com.', type: 'TXT', ttl: 300, records: [{ content: '"a" "b"' }, { content: '"tab\\009"' }] },
    ]);
    expect(find(await records(), 'ext.example.com', 'TXT')?.targets).toEqual(['"ab"', '"tab\t"']);
  });

  it('converges like an ExternalDNS reconcile: adjust → records → apply → adjust again shows no diff', async () => {
    const sources: Endpoint[] = [
      { dnsName: 'App.example.com.', recordType: 'A', targets: ['192.0.2.31', '192.0.2.30'] },
      { dnsName: 'app.example.com', recordType: 'TXT', targets: [OWNER_TXT] },
      {
        dnsName: 'example.org',
        recordType: 'CNAME',
        targets: ['lb.example.net.'],
        providerSpecific: [{ name: 'webhook/x', value: '1' }],
      },
      { dnsName: 'v6app.example.org', recordType: 'AAAA', targets: ['2001:0db8:0000::0001'], recordTTL: 0 },
      { dnsName: '_svc._tcp.example.org', recordType: 'SRV', targets: ['0 0 443 App.Example.com.'] },
      { dnsName: 'mail.example.org', recordType: 'MX', targets: ['10 mx.example.org.'] },
      { dnsName: 'caa.example.org', recordType: 'CAA', targets: ['0 ISSUE letsencrypt.org'] },
      { dnsName: 'bad.example.org', recordType: 'A', targets: ['192.0.2.300', '192.0.2.40'] },
      { dnsName: 'routed.example.org', recordType: 'A', targets: ['192.0.2.41'], setIdentifier: 'eu' },
    ];
    const desired = await under.driver.adjustEndpoints(sources);
    const first = planDiff(desired, await records());
    expect(first.create.length + first.updateNew.length).toBeGreaterThan(0);
    await under.driver.applyChanges(first);
    const again = planDiff(await under.driver.adjustEndpoints(sources), await records());
    expect(again).toEqual(changes({}));
    expect(find(await records(), 'bad.example.org', 'A')?.targets).toEqual(['192.0.2.40']);
    expect(find(await records(), 'routed.example.org', 'A')).toBeUndefined();
    // What was left out, with why: the gateway logs and counts it.
    const adjust = new BatchPipeline(under.plugin).adjust(sources, await under.plugin.zones());
    expect(adjust.dropped.map((d) => `${d.reason} ${d.endpoint.dnsName}`)).toEqual([
      'set_identifier routed.example.org',
    ]);
    expect(adjust.droppedTargets.map((d) => `${d.target}: ${d.problem}`)).toEqual([
      expect.stringMatching(/^192\.0\.2\.300: .*not an IPv4 address/),
    ]);
  });
});
