import { BatchIncompleteError, BatchPipeline, type Endpoint } from '@dnsgate/plugin-sdk';
import type { Rfc2136Plugin } from '../../plugins/rfc2136/src/rfc2136.plugin.js';
import { axfrMessageCount, digAxfr, startBind, type BindServer } from '../support/bind-server.js';
import { digShort } from '../support/run-command.js';
import {
  changes,
  createPlugin,
  incompleteBatch,
  notLanded,
  planLikeExternalDns,
  rfc2136Env,
  sorted,
  withoutLabels,
  type PluginUnderTest,
} from './rfc2136-test-kit.js';

const ZONES = ['example.com', 'myexample.com', 'sub.example.com', '2.0.192.in-addr.arpa'];

describe('rfc2136 plugin against a real BIND 9: records and changes', () => {
  let bind: BindServer;
  let t: PluginUnderTest;
  const dig = (name: string, type: string) => digShort('127.0.0.1', bind.port, name, type);

  beforeAll(async () => {
    bind = await startBind({
      zones: ZONES.map((name) => ({ name, updateKeys: ['dnsgate'] })),
      keys: [{ name: 'dnsgate', algorithm: 'hmac-sha256' }],
    });
  });
  afterAll(async () => bind?.dispose());
  beforeEach(async () => {
    t = createPlugin(rfc2136Env([bind], ZONES, bind.keys.dnsgate));
    await t.plugin.start();
  });

  async function readAll(): Promise<Endpoint[]> {
    return t.driver.records({ zones: ZONES });
  }

  /** UPDATE messages this plugin instance sent, whatever their answer. */
  async function updateCount(): Promise<number> {
    const metric = await t.context.registry.getSingleMetric('dnsgate_rfc2136_requests_total')!.get();
    return metric.values.filter((v) => v.labels.operation === 'update').reduce((n, v) => n + v.value, 0);
  }

  /** Another writer creates `theirs` between this plugin's conflict check of `zone` (its AXFR) and its UPDATEs. */
  function anotherWriterAfterCheck(zone: string, theirs: Endpoint): void {
    const inside = t.plugin as unknown as { readZoneState: Rfc2136Plugin['readZoneState'] };
    const readZoneState = t.plugin.readZoneState.bind(t.plugin);
    inside.readZoneState = async (checked, call) => {
      const state = await readZoneState(checked, call);
      if (checked === zone) {
        inside.readZoneState = readZoneState;
        await createPlugin(rfc2136Env([bind], ZONES, bind.keys.dnsgate)).driver.applyChanges(
          changes({ create: [theirs] }),
        );
      }
      return state;
    };
  }

  it('creates every record type, reads each back as AdjustEndpoints shaped it, and BIND serves them', async () => {
    const desired: Endpoint[] = [
      { dnsName: 'all-a.example.com', recordType: 'A', targets: ['192.0.2.10'], recordTTL: 120 },
      { dnsName: 'all-aaaa.example.com', recordType: 'AAAA', targets: ['2001:DB8:0:0:0:0:0:1'] },
      { dnsName: 'all-cname.example.com', recordType: 'CNAME', targets: ['Target.Example.NET.'] },
      {
        dnsName: 'all-txt.example.com',
        recordType: 'TXT',
        targets: ['"heritage=external-dns,external-dns/owner=default"'],
      },
      { dnsName: '_sip._tcp.example.com', recordType: 'SRV', targets: ['10 60 5060 sip.example.com.'] },
      { dnsName: 'all-mx.example.com', recordType: 'MX', targets: ['10 Mail.Example.NET'] },
      { dnsName: 'delegated.example.com', recordType: 'NS', targets: ['ns1.elsewhere.net'] },
      { dnsName: '10.2.0.192.in-addr.arpa', recordType: 'PTR', targets: ['all-a.example.com'] },
      {
        dnsName: 'all-naptr.example.com',
        recordType: 'NAPTR',
        targets: ['100 10 "S" "SIP+D2U" "" _sip._udp.example.com.'],
      },
      { dnsName: 'all-caa.example.com', recordType: 'CAA', targets: ['0 issue "letsencrypt.org"'] },
      { dnsName: 'all-dname.example.com', recordType: 'DNAME', targets: ['example.net'] },
    ];
    const adjusted = await t.driver.adjustEndpoints(desired);
    expect(adjusted).toHaveLength(desired.length);
    await t.driver.applyChanges(changes({ create: adjusted }));

    const records = await readAll();
    for (const endpoint of adjusted) expect(records).toContainEqual(endpoint);

    expect(await dig('all-a.example.com', 'A')).toEqual(['192.0.2.10']);
    expect(await dig('all-aaaa.example.com', 'AAAA')).toEqual(['2001:db8::1']);
    expect(await dig('all-cname.example.com', 'CNAME')).toEqual(['target.example.net.']);
    expect(await dig('all-txt.example.com', 'TXT')).toEqual(['"heritage=external-dns,external-dns/owner=default"']);
    expect(await dig('_sip._tcp.example.com', 'SRV')).toEqual(['10 60 5060 sip.example.com.']);
    expect(await dig('all-mx.example.com', 'MX')).toEqual(['10 mail.example.net.']);
    expect(await dig('10.2.0.192.in-addr.arpa', 'PTR')).toEqual(['all-a.example.com.']);
    expect(await dig('all-naptr.example.com', 'NAPTR')).toEqual(['100 10 "S" "SIP+D2U" "" _sip._udp.example.com.']);
    expect(await dig('all-caa.example.com', 'CAA')).toEqual(['0 issue "letsencrypt.org"']);
    expect(await dig('all-dname.example.com', 'DNAME')).toEqual(['example.net.']);
    const axfr = await digAxfr(bind, 'example.com', bind.keys.dnsgate);
    expect(axfr).toContain('delegated.example.com. 300 IN NS ns1.elsewhere.net.');
    expect(axfr).toContain('all-a.example.com. 120 IN A 192.0.2.10');
  });

  it('writes multi-target record sets and reads them back as one endpoint', async () => {
    const endpoint: Endpoint = {
      dnsName: 'multi.example.com',
      recordType: 'A',
      targets: ['192.0.2.3', '192.0.2.1', '192.0.2.2'],
      recordTTL: 60,
    };
    const [adjusted] = await t.driver.adjustEndpoints([endpoint]);
    await t.driver.applyChanges(changes({ create: [adjusted!] }));
    expect(await dig('multi.example.com', 'A')).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3']);
    const found = (await readAll()).filter((e) => e.dnsName === 'multi.example.com');
    expect(found).toEqual([
      {
        dnsName: 'multi.example.com',
        recordType: 'A',
        targets: ['192.0.2.1', '192.0.2.2', '192.0.2.3'],
        recordTTL: 60,
      },
    ]);
  });

  it('splits a TXT value over 255 bytes into several strings and joins them on read', async () => {
    const value = 'v=DKIM1; k=rsa; p=' + 'A'.repeat(300) + 'B'.repeat(300);
    const [adjusted] = await t.driver.adjustEndpoints([
      { dnsName: 'long._domainkey.example.com', recordType: 'TXT', targets: [value] },
    ]);
    expect(adjusted!.targets).toEqual([`"${value}"`]);
    await t.driver.applyChanges(changes({ create: [adjusted!] }));
    const served = await dig('long._domainkey.example.com', 'TXT');
    expect(served).toHaveLength(1);
    const strings = served[0]!.match(/"[^"]*"/g)!.map((s) => s.slice(1, -1));
    expect(strings.map((s) => s.length)).toEqual([255, 255, value.length - 510]);
    expect(strings.join('')).toBe(value);
    const found = (await readAll()).find((e) => e.dnsName === 'long._domainkey.example.com');
    expect(found?.targets).toEqual([`"${value}"`]);
  });

  it('updates: removes the old targets and adds the new ones, TTL included', async () => {
    const [old] = await t.driver.adjustEndpoints([
      { dnsName: 'upd.example.com', recordType: 'A', targets: ['192.0.2.1', '192.0.2.2'] },
    ]);
    await t.driver.applyChanges(changes({ create: [old!] }));
    const current = (await readAll()).find((e) => e.dnsName === 'upd.example.com')!;
    const [next] = await t.driver.adjustEndpoints([
      { dnsName: 'upd.example.com', recordType: 'A', targets: ['192.0.2.2', '192.0.2.9'], recordTTL: 900 },
    ]);
    await t.driver.applyChanges(changes({ updateOld: [current], updateNew: [next!] }));
    expect(await dig('upd.example.com', 'A')).toEqual(['192.0.2.2', '192.0.2.9']);
    const axfr = await digAxfr(bind, 'example.com', bind.keys.dnsgate);
    expect(axfr.filter((l) => l.startsWith('upd.example.com.'))).toEqual([
      'upd.example.com. 900 IN A 192.0.2.2',
      'upd.example.com. 900 IN A 192.0.2.9',
    ]);
  });

  it('deletes every RR of an endpoint and nothing else at the name', async () => {
    const adjusted = await t.driver.adjustEndpoints([
      { dnsName: 'del.example.com', recordType: 'A', targets: ['192.0.2.1', '192.0.2.2'] },
      { dnsName: 'del.example.com', recordType: 'TXT', targets: ['keep me'] },
    ]);
    await t.driver.applyChanges(changes({ create: adjusted }));
    const a = (await readAll()).find((e) => e.dnsName === 'del.example.com' && e.recordType === 'A')!;
    await t.driver.applyChanges(changes({ delete: [a] }));
    expect(await dig('del.example.com', 'A')).toEqual([]);
    expect(await dig('del.example.com', 'TXT')).toEqual(['"keep me"']);
    expect((await readAll()).filter((e) => e.dnsName === 'del.example.com').map((e) => e.recordType)).toEqual(['TXT']);
  });

  it('changes the type at a name in one batch: the A deleted and a CNAME created there', async () => {
    const [a] = await t.driver.adjustEndpoints([
      { dnsName: 'retype.example.com', recordType: 'A', targets: ['192.0.2.1'] },
    ]);
    await t.driver.applyChanges(changes({ create: [a!] }));
    const current = (await readAll()).find((e) => e.dnsName === 'retype.example.com')!;
    const [cname] = await t.driver.adjustEndpoints([
      { dnsName: 'retype.example.com', recordType: 'CNAME', targets: ['target.example.net'] },
    ]);
    const updatesBefore = await updateCount();
    await t.driver.applyChanges(changes({ delete: [current], create: [cname!] }));
    // The delete, then the create in the next message: not one message refused whole and split.
    expect((await updateCount()) - updatesBefore).toBe(2);
    expect(await dig('retype.example.com', 'CNAME')).toEqual(['target.example.net.']);
    expect((await readAll()).filter((e) => e.dnsName === 'retype.example.com')).toEqual([cname]);
  });

  it('puts each name in the longest zone on a dot boundary: example.com, myexample.com, sub.example.com', async () => {
    const adjusted = await t.driver.adjustEndpoints([
      { dnsName: 'www.example.com', recordType: 'A', targets: ['192.0.2.1'] },
      { dnsName: 'www.myexample.com', recordType: 'A', targets: ['192.0.2.2'] },
      { dnsName: 'myexample.com', recordType: 'TXT', targets: ['apex'] },
      { dnsName: 'www.sub.example.com', recordType: 'A', targets: ['192.0.2.3'] },
    ]);
    await t.driver.applyChanges(changes({ create: adjusted }));
    const mine = await digAxfr(bind, 'myexample.com', bind.keys.dnsgate);
    expect(mine).toContain('www.myexample.com. 300 IN A 192.0.2.2');
    expect(mine).toContain('myexample.com. 300 IN TXT "apex"');
    const parent = await digAxfr(bind, 'example.com', bind.keys.dnsgate);
    expect(parent.some((l) => l.startsWith('www.myexample.com.') || l.startsWith('www.sub.example.com.'))).toBe(false);
    expect(parent).toContain('www.example.com. 300 IN A 192.0.2.1');
    expect(await digAxfr(bind, 'sub.example.com', bind.keys.dnsgate)).toContain(
      'www.sub.example.com. 300 IN A 192.0.2.3',
    );

    const records = await readAll();
    expect(
      records
        .filter((e) => e.dnsName.endsWith('myexample.com'))
        .map((e) => e.dnsName)
        .sort(),
    ).toEqual(['myexample.com', 'www.myexample.com']);
    expect(records.filter((e) => e.dnsName === 'www.sub.example.com')).toHaveLength(1);
    // Only the zones asked for are read.
    const onlyMine = await t.driver.records({ zones: ['myexample.com'] });
    expect(onlyMine.every((e) => e.dnsName.endsWith('myexample.com'))).toBe(true);
  });

  it('sends batches larger than BATCH_SIZE as several UPDATE messages, all landing', async () => {
    t = createPlugin(rfc2136Env([bind], ZONES, bind.keys.dnsgate, { DNSGATE_RFC2136_BATCH_SIZE: '7' }));
    const desired = Array.from({ length: 40 }, (_, i) => ({
      dnsName: `batch-${i}.myexample.com`,
      recordType: 'A',
      targets: [`198.51.100.${i + 1}`],
    }));
    await t.driver.applyChanges(changes({ create: await t.driver.adjustEndpoints(desired) }));
    const metrics = await t.context.registry.getSingleMetricAsString('dnsgate_rfc2136_requests_total');
    expect(metrics).toMatch(new RegExp(`operation="update",server="127.0.0.1:${bind.port}",outcome="ok"} 6\\b`));
    const axfr = await digAxfr(bind, 'myexample.com', bind.keys.dnsgate);
    expect(axfr.filter((l) => l.startsWith('batch-'))).toHaveLength(40);
  });

  it('reads a zone of 3,000 records transferred in many TSIG-signed messages, as dig does', async () => {
    const desired = Array.from({ length: 3000 }, (_, i) => ({
      dnsName: `bulk-${i}.sub.example.com`,
      recordType: 'TXT',
      targets: [`"bulk record number ${i} with some padding to make the transfer span many messages"`],
    }));
    t = createPlugin(rfc2136Env([bind], ZONES, bind.keys.dnsgate, { DNSGATE_RFC2136_BATCH_SIZE: '500' }));
    await t.driver.applyChanges(changes({ create: await t.driver.adjustEndpoints(desired) }));
    expect(await axfrMessageCount(bind, 'sub.example.com', bind.keys.dnsgate!)).toBeGreaterThan(5);
    const records = await t.driver.records({ zones: ['sub.example.com'] });
    expect(records.filter((e) => e.dnsName.startsWith('bulk-'))).toHaveLength(3000);
    expect(records).toContainEqual({
      dnsName: 'bulk-2999.sub.example.com',
      recordType: 'TXT',
      targets: [desired[2999]!.targets[0]!],
      recordTTL: 300,
    });
  });

  it('reconciles like ExternalDNS: adjust, records, apply, records, adjust again shows no diff', async () => {
    const desired: Endpoint[] = [
      {
        dnsName: 'App.MyExample.com.',
        recordType: 'A',
        targets: ['192.0.2.7', '192.0.2.6'],
        labels: { owner: 'default' },
      },
      {
        dnsName: 'app.myexample.com',
        recordType: 'TXT',
        targets: ['heritage=external-dns,external-dns/owner=default'],
      },
      {
        dnsName: 'v6.myexample.com',
        recordType: 'AAAA',
        targets: ['2001:0db8:0000:0000:0000:0000:0000:0042'],
        recordTTL: 30,
      },
      {
        dnsName: 'alias.myexample.com',
        recordType: 'CNAME',
        targets: ['App.MyExample.com.'],
        providerSpecific: [{ name: 'webhook/x', value: 'y' }],
      },
      { dnsName: '_xmpp._tcp.myexample.com', recordType: 'SRV', targets: ['5 0 5222 xmpp.myexample.com.'] },
      { dnsName: 'mail.myexample.com', recordType: 'MX', targets: ['20 mx2.elsewhere.net.', '10 MX1.elsewhere.net'] },
      { dnsName: 'caa.myexample.com', recordType: 'CAA', targets: ['0 ISSUE letsencrypt.org'] },
      { dnsName: 'myexample.com', recordType: 'NS', targets: ['ns.elsewhere.net'] },
    ];
    const adjusted = await t.driver.adjustEndpoints(desired);
    // The apex NS is the server's: dropped, with why (the gateway logs and counts it).
    expect(adjusted.find((e) => e.recordType === 'NS')).toBeUndefined();
    expect(
      new BatchPipeline(t.plugin).adjust(desired, ZONES).dropped.map((d) => `${d.reason} ${d.endpoint.dnsName}`),
    ).toEqual(['apex-ns myexample.com']);
    const scope = (es: Endpoint[]) =>
      es.filter((e) => /^(app|v6|alias|_xmpp\._tcp|mail|caa)\.myexample\.com$/.test(e.dnsName));

    const first = planLikeExternalDns(adjusted, scope(await readAll()));
    expect(first.create).toHaveLength(7);
    await t.driver.applyChanges(first);

    const current = scope(await readAll());
    expect(sorted(current)).toEqual(sorted(withoutLabels(adjusted)));
    const again = planLikeExternalDns(await t.driver.adjustEndpoints(desired), current);
    expect(again).toEqual(changes({}));
  });

  it('refuses, before sending it, each change that does not fit the zone, and names why; the others land', async () => {
    const [existing] = await t.driver.adjustEndpoints([
      { dnsName: 'taken.example.com', recordType: 'A', targets: ['192.0.2.1'] },
    ]);
    await t.driver.applyChanges(changes({ create: [existing!] }));
    const updatesBefore = await updateCount();
    const failed = await incompleteBatch(
      t.driver.applyChanges(
        changes({
          create: await t.driver.adjustEndpoints([
            { dnsName: 'fresh.myexample.com', recordType: 'A', targets: ['192.0.2.5'] },
            { dnsName: 'taken.example.com', recordType: 'A', targets: ['192.0.2.99'] },
          ]),
        }),
      ),
    );
    expect(failed.statusCode).toBe(500);
    expect(notLanded(failed.report)).toEqual(['create A taken.example.com: conflict']);
    expect(failed.message).toMatch(
      /^1 of 2 changes did not land \(1 applied\): create A taken\.example\.com: conflict: cannot create A taken\.example\.com: it already exists$/,
    );
    expect(await dig('taken.example.com', 'A')).toEqual(['192.0.2.1']);
    expect(await dig('fresh.myexample.com', 'A')).toEqual(['192.0.2.5']);
    // Only the fresh record was sent: the conflict was found from the zone's transfer.
    expect(await updateCount()).toBe(updatesBefore + 1);
    const deleteMissing = await incompleteBatch(
      t.driver.applyChanges(
        changes({ delete: [{ dnsName: 'never.example.com', recordType: 'A', targets: ['192.0.2.1'] }] }),
      ),
    );
    expect(deleteMissing.message).toMatch(/delete A never\.example\.com: conflict: .*it does not exist/);
    expect(await updateCount()).toBe(updatesBefore + 1);
  });

  it('isolates the change whose prerequisite no longer holds when the zone changed after the check; the rest lands', async () => {
    const [theirs] = await t.driver.adjustEndpoints([
      { dnsName: 'raced.example.com', recordType: 'A', targets: ['192.0.2.1'] },
    ]);
    const wanted = await t.driver.adjustEndpoints([
      { dnsName: 'raced.example.com', recordType: 'A', targets: ['192.0.2.99'] },
      // In the same zone: the same UPDATE message, which BIND refuses whole.
      { dnsName: 'beside-raced.example.com', recordType: 'A', targets: ['192.0.2.6'] },
      { dnsName: 'unraced.myexample.com', recordType: 'A', targets: ['192.0.2.5'] },
    ]);
    anotherWriterAfterCheck('example.com', theirs!);
    const updatesBefore = await updateCount();
    const failed = await incompleteBatch(t.driver.applyChanges(changes({ create: wanted })));
    // BIND refuses the UPDATE on its prerequisite: the backend's own word on that change.
    expect(notLanded(failed.report)).toEqual(['create A raced.example.com: refused']);
    expect(failed.statusCode).toBe(500);
    expect(failed.message).toMatch(/1 of 3 changes did not land \(2 applied\).*create A raced\.example\.com.*YXRRSET/);
    expect(await dig('raced.example.com', 'A')).toEqual(['192.0.2.1']);
    expect(await dig('beside-raced.example.com', 'A')).toEqual(['192.0.2.6']);
    expect(await dig('unraced.myexample.com', 'A')).toEqual(['192.0.2.5']);
    // example.com: the refused message, then each half of it alone; myexample.com: one message.
    expect((await updateCount()) - updatesBefore).toBe(4);
  });

  it('names exactly the changes of the one refused message among messages in flight together; the rest land', async () => {
    // BATCH_SIZE 5: 40 creates are 8 messages, several in flight on one connection at once (RFC 7766 pipelining).
    t = createPlugin(rfc2136Env([bind], ZONES, bind.keys.dnsgate, { DNSGATE_RFC2136_BATCH_SIZE: '5' }));
    const names = Array.from({ length: 40 }, (_, i) => `pipelined-${i}.myexample.com`);
    const wanted = await t.driver.adjustEndpoints(
      names.map((dnsName, i) => ({ dnsName, recordType: 'A', targets: [`198.51.100.${i + 1}`] })),
    );
    // Another writer creates the 13th record (the third message) between the check and the UPDATEs.
    const [theirs] = await t.driver.adjustEndpoints([
      { dnsName: names[12]!, recordType: 'A', targets: ['203.0.113.13'] },
    ]);
    anotherWriterAfterCheck('myexample.com', theirs!);
    const updatesBefore = await updateCount();
    const failed = await incompleteBatch(t.driver.applyChanges(changes({ create: wanted })));
    expect(notLanded(failed.report)).toEqual([`create A ${names[12]}: refused`]);
    expect(failed.report.applied).toHaveLength(39);
    const axfr = await digAxfr(bind, 'myexample.com', bind.keys.dnsgate);
    for (const [i, name] of names.entries()) {
      const target = i === 12 ? '203.0.113.13' : `198.51.100.${i + 1}`;
      expect(axfr.filter((l) => l.startsWith(`${name}.`))).toEqual([
        expect.stringMatching(new RegExp(`\\s${target}$`)),
      ]);
    }
    // 8 messages, then the refused one's 5 changes split until the raced one is alone: 3, 2, then 1 and 1.
    expect((await updateCount()) - updatesBefore).toBe(8 + 4);
  });

  it('applies two batches at once one after the other: the second is checked against what the first wrote', async () => {
    const [mine] = await t.driver.adjustEndpoints([
      { dnsName: 'both.example.com', recordType: 'A', targets: ['192.0.2.1'] },
    ]);
    const [theirs] = await t.driver.adjustEndpoints([
      { dnsName: 'both.example.com', recordType: 'A', targets: ['192.0.2.2'] },
    ]);
    const [extraMine, extraTheirs] = await t.driver.adjustEndpoints([
      { dnsName: 'both-mine.myexample.com', recordType: 'A', targets: ['192.0.2.1'] },
      { dnsName: 'both-theirs.myexample.com', recordType: 'A', targets: ['192.0.2.1'] },
    ]);
    const outcomes = await Promise.allSettled([
      t.driver.applyChanges(changes({ create: [mine!, extraMine!] })),
      t.driver.applyChanges(changes({ create: [theirs!, extraTheirs!] })),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected']);
    const second = (outcomes[1] as PromiseRejectedResult).reason as BatchIncompleteError;
    expect(second).toBeInstanceOf(BatchIncompleteError);
    // Checked after the first batch landed: its create of both.example.com is stale; its other change lands.
    expect(notLanded(second.report)).toEqual(['create A both.example.com: conflict']);
    expect(await dig('both.example.com', 'A')).toEqual(['192.0.2.1']);
    expect(await dig('both-mine.myexample.com', 'A')).toEqual(['192.0.2.1']);
    expect(await dig('both-theirs.myexample.com', 'A')).toEqual(['192.0.2.1']);
  });

  it('refuses each change to a record set named twice in a batch, before sending it; the others land', async () => {
    const e = { dnsName: 'twice.example.com', recordType: 'A', targets: ['192.0.2.1'] };
    const updatesBefore = await updateCount();
    const failed = await incompleteBatch(
      t.driver.applyChanges(
        changes({
          create: [e, { ...e, dnsName: 'TWICE.example.com.' }, { ...e, dnsName: 'once.example.com' }],
        }),
      ),
    );
    expect(notLanded(failed.report)).toEqual([
      'create A twice.example.com: duplicate',
      'create A twice.example.com: duplicate',
    ]);
    expect(failed.message).toMatch(/A twice\.example\.com appears 2 times in one batch/);
    expect(await dig('twice.example.com', 'A')).toEqual([]);
    expect(await dig('once.example.com', 'A')).toEqual(['192.0.2.1']);
    expect(await updateCount()).toBe(updatesBefore + 1);
  });

  it('never takes a delete of a record set with a routing policy for the plain one at its name', async () => {
    const [plain] = await t.driver.adjustEndpoints([
      { dnsName: 'routed.example.com', recordType: 'A', targets: ['192.0.2.1'] },
    ]);
    await t.driver.applyChanges(changes({ create: [plain!] }));
    // This backend holds no setIdentifier: such a record set cannot exist here, whatever is at the name.
    const report = await t.driver.applyReport(changes({ delete: [{ ...plain!, setIdentifier: 'eu' }] }));
    expect(report.applied).toEqual([]);
    expect(notLanded(report)).toEqual([
      expect.stringMatching(/^delete A routed\.example\.com \(set eu\): (invalid|conflict)$/),
    ]);
    expect(await dig('routed.example.com', 'A')).toEqual(['192.0.2.1']);
  });

  it('reports a change outside every zone as not landed (a 5xx), while the others land', async () => {
    const failed = await incompleteBatch(
      t.driver.applyChanges(
        changes({
          create: [
            { dnsName: 'www.other.org', recordType: 'A', targets: ['192.0.2.1'] },
            { dnsName: 'inside.example.com', recordType: 'A', targets: ['192.0.2.1'] },
          ],
        }),
      ),
    );
    expect(failed.statusCode).toBe(500);
    expect(notLanded(failed.report)).toEqual(['create A www.other.org: no_zone']);
    expect(failed.message).toMatch(/no managed zone holds "www\.other\.org"/);
    expect(await dig('inside.example.com', 'A')).toEqual(['192.0.2.1']);
  });
});
