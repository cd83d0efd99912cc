import fc from 'fast-check';
import type { Endpoint } from '@dnsgate/plugin-sdk';
import type { DifferenceSequence, TransferRr } from '../dns/zone-transfer.reader.js';
import { compareNames } from './name-order.js';
import { rr } from './transfer-rr.spec-helper.js';
import { ZoneRecordsCollector, type ZoneRecordSets } from './zone-records.collector.js';

const ZONES = ['zone.test', 'child.zone.test'];

function collect(rrs: TransferRr[], withTargets = true): ZoneRecordsCollector {
  const collector = new ZoneRecordsCollector('zone.test', ZONES, withTargets);
  for (const r of rrs) collector.add(r.name, r.type, r.ttl, r.message, r.rdataOffset);
  return collector;
}

function sequence(deleted: TransferRr[], added: TransferRr[], from = 1, to = 2): DifferenceSequence {
  return { fromSerial: from, toSerial: to, deleted, added };
}

function byKey(sets: ZoneRecordSets) {
  return [...sets.endpoints].sort((a, b) =>
    `${a.dnsName}|${a.recordType}`.localeCompare(`${b.dnsName}|${b.recordType}`),
  );
}

const BASE = [
  rr('zone.test', 'NS', 3600, 'ns1.elsewhere.test'),
  rr('www.zone.test', 'A', 300, '192.0.2.2'),
  rr('www.zone.test', 'A', 300, '192.0.2.1'),
  rr('txt.zone.test', 'TXT', 60, '"hello"'),
  rr('child.zone.test', 'NS', 300, 'ns.child.zone.test'),
  rr('ns.child.zone.test', 'A', 300, '192.0.2.53'),
  rr('deleg.zone.test', 'NS', 300, 'ns.elsewhere.test'),
];

describe('ZoneRecordsCollector', () => {
  it.each([
    ['in name order', () => [...BASE].sort((a, b) => compareNames(a.name, b.name))],
    ['out of name order', () => BASE],
  ])('merges RRs (%s) into sorted record sets, leaving out the apex NS and the names of a child zone', (_, rrs) => {
    const collector = collect(rrs());
    expect(byKey(collector.recordSets())).toEqual([
      { dnsName: 'deleg.zone.test', recordType: 'NS', targets: ['ns.elsewhere.test'], recordTTL: 300 },
      { dnsName: 'txt.zone.test', recordType: 'TXT', targets: ['"hello"'], recordTTL: 60 },
      { dnsName: 'www.zone.test', recordType: 'A', targets: ['192.0.2.1', '192.0.2.2'], recordTTL: 300 },
    ]);
    expect(collector.size).toBe(3);
    expect(collector.keys()).toEqual(new Set(['www.zone.test|A|', 'txt.zone.test|TXT|', 'deleg.zone.test|NS|']));
  });

  it('reports the lowest TTL of a set, and a target read twice once', () => {
    const sets = collect([
      rr('m.zone.test', 'A', 300, '192.0.2.9'),
      rr('m.zone.test', 'A', 120, '192.0.2.8'),
      rr('m.zone.test', 'A', 200, '192.0.2.9'),
    ]).recordSets();
    expect(sets.endpoints).toEqual([
      { dnsName: 'm.zone.test', recordType: 'A', targets: ['192.0.2.8', '192.0.2.9'], recordTTL: 120 },
    ]);
  });

  it('counts RRs of types it leaves alone, and without targets collects keys only', () => {
    const collector = collect([rr('zone.test', 'SOA', 60, ''), ...BASE], false);
    expect(collector.unmanaged).toBe(1);
    expect(collector.keys().size).toBe(3);
    expect(() => collector.recordSets()).toThrow(/without targets/);
  });
});

/** BASE as BIND sends it: names in order (the collector then keeps no index of names). */
const ORDERED = [...BASE].sort((a, b) => compareNames(a.name, b.name));

describe.each([
  ['a read in name order', ORDERED],
  ['a read out of name order', BASE],
])('ZoneRecordSets.withDifference (the RRs of an IXFR applied to %s)', (_, BASE) => {
  const full = (rrs: TransferRr[]) => byKey(collect(rrs).recordSets());

  it('gives what a full read of the result gives, for any changes to names before, between and after', () => {
    const before = collect(BASE).recordSets();
    const changes = [
      rr('0.zone.test', 'A', 300, '192.0.2.100'),
      rr('m.zone.test', 'A', 300, '192.0.2.101'),
      rr('www.zone.test', 'TXT', 300, '"second type"'),
      rr('zzz.zone.test', 'A', 300, '192.0.2.102'),
      rr('a.www.zone.test', 'A', 300, '192.0.2.103'),
    ];
    const after = before.withDifference([sequence([BASE[3]!], changes)]);
    expect(byKey(after)).toEqual(full([...BASE.filter((r) => r !== BASE[3]), ...changes]));
    // Found again by the next difference, wherever they were put.
    const again = after.withDifference([sequence(changes, [])]);
    expect(byKey(again)).toEqual(full(BASE.filter((r) => r !== BASE[3])));
  });

  it('applies deletions, then additions, equal to a full read of the result', () => {
    const before = collect(BASE).recordSets();
    const after = before.withDifference([
      sequence([rr('www.zone.test', 'A', 300, '192.0.2.2')], [rr('new.zone.test', 'A', 300, '192.0.2.7')]),
    ]);
    expect(byKey(after)).toEqual(
      full([
        ...BASE.filter((r) => !(r.name === 'www.zone.test' && r.message.at(-1) === 2)),
        rr('new.zone.test', 'A', 300, '192.0.2.7'),
      ]),
    );
    expect(after.endpoints).toContainEqual({
      dnsName: 'www.zone.test',
      recordType: 'A',
      targets: ['192.0.2.1'],
      recordTTL: 300,
    });
  });

  it('follows a TTL change (every RR of the set deleted and added again at the new TTL)', () => {
    const before = collect(BASE).recordSets();
    const after = before.withDifference([
      sequence(
        [rr('www.zone.test', 'A', 300, '192.0.2.1'), rr('www.zone.test', 'A', 300, '192.0.2.2')],
        [rr('www.zone.test', 'A', 30, '192.0.2.1'), rr('www.zone.test', 'A', 30, '192.0.2.2')],
      ),
    ]);
    expect(after.endpoints).toContainEqual({
      dnsName: 'www.zone.test',
      recordType: 'A',
      targets: ['192.0.2.1', '192.0.2.2'],
      recordTTL: 30,
    });
  });

  it('drops a record set emptied, and brings it back when a later sequence recreates it', () => {
    const before = collect(BASE).recordSets();
    const emptied = sequence([rr('txt.zone.test', 'TXT', 60, '"hello"')], [], 1, 2);
    const recreated = sequence([], [rr('txt.zone.test', 'TXT', 90, '"again"')], 2, 3);
    expect(byKey(before.withDifference([emptied])).map((e) => e.dnsName)).toEqual(['deleg.zone.test', 'www.zone.test']);
    expect(before.withDifference([emptied, recreated]).endpoints).toContainEqual({
      dnsName: 'txt.zone.test',
      recordType: 'TXT',
      targets: ['"again"'],
      recordTTL: 90,
    });
  });

  it('leaves out what a full read leaves out: child zone names, the apex NS, unmanaged types', () => {
    const before = collect(BASE).recordSets();
    const after = before.withDifference([
      sequence(
        [rr('zone.test', 'NS', 3600, 'ns1.elsewhere.test')],
        [
          rr('zone.test', 'NS', 3600, 'ns2.elsewhere.test'),
          rr('glue.child.zone.test', 'A', 300, '192.0.2.54'),
          rr('child.zone.test', 'NS', 300, 'ns2.child.zone.test'),
          rr('zone.test', 'SOA', 60, ''),
        ],
      ),
    ]);
    expect(byKey(after)).toEqual(byKey(before));
  });

  it('never changes the read it started from, and shares the sets it did not touch', () => {
    const before = collect(BASE).recordSets();
    const snapshot = JSON.stringify(before.endpoints);
    const after = before.withDifference([sequence([rr('www.zone.test', 'A', 300, '192.0.2.1')], [])]);
    expect(JSON.stringify(before.endpoints)).toBe(snapshot);
    const untouched = before.endpoints.find((e) => e.dnsName === 'txt.zone.test');
    expect(after.endpoints.find((e) => e.dnsName === 'txt.zone.test')).toBe(untouched);
    expect(before.withDifference([])).toBe(before);
  });
});

describe('ZoneRecordsCollector handing finished sets over (EarlyEndpoints)', () => {
  /** The RRs fed message by message (a message ends after each index in `ends`), with what was handed over. */
  function collectHanding(rrs: TransferRr[], ends: ReadonlySet<number>) {
    const batches: Array<{ endpoints: readonly Endpoint[]; json: string }> = [];
    const early = {
      take: (endpoints: readonly Endpoint[]) => batches.push({ endpoints, json: JSON.stringify(endpoints) }),
    };
    const collector = new ZoneRecordsCollector('zone.test', ZONES, true, early);
    rrs.forEach((r, index) => {
      collector.add(r.name, r.type, r.ttl, r.message, r.rdataOffset);
      if (ends.has(index)) collector.endOfMessage();
    });
    return { result: collector.recordSets().endpoints, batches };
  }
  const NAMES = ['a', 'b.a', 'c', 'm', 'x.m', 'www', 'zz'].map((label) => `${label}.zone.test`);
  const arbitraryRrs = fc.array(
    fc.tuple(
      fc.constantFrom(...NAMES),
      fc.constantFrom('A' as const, 'TXT' as const),
      fc.constantFrom(60, 300),
      fc.nat(5),
    ),
    { maxLength: 40 },
  );
  const toRrs = (picks: Array<[string, 'A' | 'TXT', number, number]>) =>
    picks.map(([name, type, ttl, n]) => rr(name, type, ttl, type === 'A' ? `192.0.2.${n}` : `"t${n}"`));

  it('hands over, in the order of the result, sets that never change after; the result is the one without', () => {
    fc.assert(
      fc.property(arbitraryRrs, fc.array(fc.nat(40)), (picks, cuts) => {
        const rrs = toRrs(picks).sort((x, y) => compareNames(x.name, y.name));
        const { result, batches } = collectHanding(rrs, new Set(cuts));
        expect(result).toEqual(collect(rrs).recordSets().endpoints);
        const handed = batches.flatMap((batch) => batch.endpoints);
        handed.forEach((endpoint, index) => expect(result[index]).toBe(endpoint));
        for (const batch of batches) expect(JSON.stringify(batch.endpoints)).toBe(batch.json);
        // Every name but the last one read was finished at a message's end after it.
        if (cuts.includes(rrs.length - 1)) {
          const lastName = result[result.length - 1]?.dnsName;
          expect(handed.length).toBe(result.filter((endpoint) => endpoint.dnsName !== lastName).length);
        }
      }),
    );
  });

  it('copies the sets it handed over once a name comes back out of order, and changes none of them', () => {
    fc.assert(
      fc.property(arbitraryRrs, fc.array(fc.nat(40)), fc.nat(40), (picks, cuts, back) => {
        const sorted = toRrs(picks).sort((x, y) => compareNames(x.name, y.name));
        const earlier = sorted.filter((r) => r.name !== sorted[sorted.length - 1]!.name);
        if (earlier.length === 0) return;
        // A name read before the last one comes back at the end: its set must grow after all.
        const rrs = [...sorted, rr(earlier[back % earlier.length]!.name, 'A', 30, '192.0.2.200')];
        const { result, batches } = collectHanding(rrs, new Set(cuts));
        expect(byKey({ endpoints: result } as ZoneRecordSets)).toEqual(byKey(collect(rrs).recordSets()));
        for (const batch of batches) expect(JSON.stringify(batch.endpoints)).toBe(batch.json);
        const resultObjects = new Set(result);
        for (const batch of batches)
          for (const endpoint of batch.endpoints) expect(resultObjects.has(endpoint)).toBe(false);
      }),
    );
  });

  it('hands nothing over when collecting keys only', () => {
    const taken: unknown[] = [];
    const collector = new ZoneRecordsCollector('zone.test', ZONES, false, { take: (e) => taken.push(e) });
    for (const r of ORDERED) collector.add(r.name, r.type, r.ttl, r.message, r.rdataOffset);
    collector.endOfMessage();
    expect(taken).toEqual([]);
  });
});
