import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ChangeRejectedError, findZone, type Changes } from '@dnsgate/plugin-sdk';
import {
  describeSource,
  findConflicts,
  PLAN_SLICE,
  planChanges,
  planSteps,
  ReportedRrsets,
  zoneFinder,
} from './zone-changes.planner.js';

const changes = (partial: Partial<Changes>): Changes => ({
  create: [],
  updateOld: [],
  updateNew: [],
  delete: [],
  ...partial,
});
const zones = ['example.com', 'sub.example.com', 'example.org'];

describe('planChanges', () => {
  it('makes one PATCH per zone, deletes first, names to the longest zone on a dot boundary', () => {
    const plan = planChanges(
      changes({
        create: [
          { dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'] },
          { dnsName: 'x.sub.example.com', recordType: 'TXT', targets: ['"hello"'], recordTTL: 60 },
          { dnsName: 'myexample.com', recordType: 'A', targets: ['192.0.2.9'] },
        ],
        delete: [{ dnsName: 'old.example.com', recordType: 'CNAME', targets: ['x.example.net'] }],
        updateOld: [{ dnsName: 'example.org', recordType: 'MX', targets: ['10 a.example.org'] }],
        updateNew: [{ dnsName: 'example.org', recordType: 'MX', targets: ['20 b.example.org'], recordTTL: 0 }],
      }),
      zones,
      300,
    );
    const described = plan.patches.map((patch) => ({
      zone: patch.zone,
      rrsets: patch.rrsets,
      sources: patch.rrsets.map((_, index) => describeSource(patch, index)),
    }));
    expect(described).toEqual([
      {
        zone: 'example.com',
        rrsets: [
          { name: 'old.example.com.', type: 'CNAME', changetype: 'DELETE' },
          {
            name: 'a.example.com.',
            type: 'A',
            ttl: 300,
            changetype: 'REPLACE',
            records: [{ content: '192.0.2.1', disabled: false }],
          },
        ],
        sources: ['delete of CNAME old.example.com', 'create of A a.example.com'],
      },
      {
        zone: 'sub.example.com',
        rrsets: [
          {
            name: 'x.sub.example.com.',
            type: 'TXT',
            ttl: 60,
            changetype: 'REPLACE',
            records: [{ content: '"hello"', disabled: false }],
          },
        ],
        sources: ['create of TXT x.sub.example.com'],
      },
      {
        zone: 'example.org',
        rrsets: [
          {
            name: 'example.org.',
            type: 'MX',
            ttl: 300,
            changetype: 'REPLACE',
            records: [{ content: '20 b.example.org.', disabled: false }],
          },
        ],
        sources: ['update of MX example.org'],
      },
    ]);
    expect(plan.skipped).toEqual([
      expect.objectContaining({
        action: 'create',
        reason: 'outside_zones',
        endpoint: expect.objectContaining({ dnsName: 'myexample.com' }),
      }),
    ]);
  });

  it('writes a CNAME at the apex as ALIAS, for create and delete alike', () => {
    const plan = planChanges(
      changes({
        create: [{ dnsName: 'example.com', recordType: 'CNAME', targets: ['lb.example.net'] }],
        delete: [{ dnsName: 'example.org.', recordType: 'CNAME', targets: ['lb.example.net'] }],
      }),
      zones,
      300,
    );
    expect(plan.patches.flatMap((p) => p.rrsets.map((r) => `${r.changetype} ${r.type} ${r.name}`)).sort()).toEqual([
      'DELETE ALIAS example.org.',
      'REPLACE ALIAS example.com.',
    ]);
  });

  it('deletes the old rrset when an update changes the name or type', () => {
    const plan = planChanges(
      changes({
        updateOld: [{ dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'] }],
        updateNew: [{ dnsName: 'b.example.com', recordType: 'A', targets: ['192.0.2.1'] }],
      }),
      zones,
      300,
    );
    expect(plan.patches[0]!.rrsets.map((r) => `${r.changetype} ${r.name}`)).toEqual([
      'DELETE a.example.com.',
      'REPLACE b.example.com.',
    ]);
  });

  it('rejects the whole batch when one rrset appears twice, whatever the spelling', () => {
    expect(() =>
      planChanges(
        changes({
          create: [{ dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'] }],
          delete: [{ dnsName: 'A.Example.com.', recordType: 'a', targets: [] }],
        }),
        zones,
        300,
      ),
    ).toThrow(ChangeRejectedError);
  });

  it('skips changes PowerDNS cannot hold instead of sending them', () => {
    const plan = planChanges(
      changes({ create: [{ dnsName: 'a.example.com', recordType: 'A', targets: ['999.1.1.1'] }] }),
      zones,
      300,
    );
    expect(plan.patches).toEqual([]);
    expect(plan.skipped[0]).toMatchObject({ reason: 'invalid', problem: expect.stringMatching(/not an IPv4 address/) });
  });

  it('keeps the old rrset of a renaming update whose new side cannot be written', () => {
    const plan = planChanges(
      changes({
        updateOld: [{ dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'] }],
        updateNew: [{ dnsName: 'b.example.com', recordType: 'A', targets: ['999.1.1.1'] }],
      }),
      zones,
      300,
    );
    expect(plan.patches).toEqual([]);
    expect(plan.skipped).toEqual([expect.objectContaining({ action: 'update', reason: 'invalid' })]);
  });

  it('says what each change needs of the zone: creates absent, updates and deletes present', () => {
    const plan = planChanges(
      changes({
        create: [{ dnsName: 'example.com', recordType: 'CNAME', targets: ['lb.example.net'] }],
        updateOld: [
          { dnsName: 'x.sub.example.com', recordType: 'TXT', targets: ['"a"'] },
          { dnsName: 'a.example.org', recordType: 'A', targets: ['192.0.2.1'] },
        ],
        updateNew: [
          { dnsName: 'X.sub.example.com.', recordType: 'TXT', targets: ['"b"'] },
          { dnsName: 'b.example.org', recordType: 'A', targets: ['192.0.2.1'] },
        ],
        delete: [{ dnsName: 'gone.example.com', recordType: 'MX', targets: ['10 mx.example.com'] }],
      }),
      zones,
      300,
    );
    const needs = plan.patches.map((patch) => ({
      zone: patch.zone,
      needs: patch.rrsets.map(
        (rrset, index) => `${rrset.changetype} ${rrset.type} ${rrset.name} ${patch.mustExist[index]}`,
      ),
    }));
    expect(needs).toEqual([
      { zone: 'example.com', needs: ['DELETE MX gone.example.com. true', 'REPLACE ALIAS example.com. false'] },
      { zone: 'sub.example.com', needs: ['REPLACE TXT x.sub.example.com. true'] },
      { zone: 'example.org', needs: ['DELETE A a.example.org. true', 'REPLACE A b.example.org. false'] },
    ]);
    // The apex CNAME is written as ALIAS but checked as the CNAME Records reports.
    expect(
      findConflicts(
        plan.patches,
        new Map([['example.com', ReportedRrsets.ofKeys(['example.com|CNAME', 'gone.example.com|MX'])]]),
      ),
    ).toEqual(['create of CNAME example.com: it already exists']);
  });

  it('finds the changes that do not fit the zones as they are', () => {
    const plan = planChanges(
      changes({
        create: [
          { dnsName: 'new.example.com', recordType: 'A', targets: ['192.0.2.1'] },
          { dnsName: 'taken.example.com', recordType: 'A', targets: ['192.0.2.1'] },
        ],
        updateOld: [{ dnsName: 'missing.example.org', recordType: 'A', targets: ['192.0.2.1'] }],
        updateNew: [{ dnsName: 'missing.example.org', recordType: 'A', targets: ['192.0.2.2'] }],
        delete: [
          { dnsName: 'here.example.org', recordType: 'TXT', targets: ['"x"'] },
          { dnsName: 'here.sub.example.com', recordType: 'A', targets: ['192.0.2.1'] },
        ],
      }),
      zones,
      300,
    );
    const existing = new Map([
      ['example.com', ReportedRrsets.ofKeys(['taken.example.com|A', 'taken.example.com|TXT'])],
      ['example.org', ReportedRrsets.ofKeys(['here.example.org|TXT'])],
    ]);
    expect(findConflicts(plan.patches, existing)).toEqual([
      'create of A taken.example.com: it already exists',
      'update of A missing.example.org: it does not exist',
    ]);
    // sub.example.com was not read: not checked.
    expect(
      findConflicts(plan.patches, new Map([['example.org', ReportedRrsets.ofKeys(['here.example.org|TXT'])]])),
    ).toEqual(['update of A missing.example.org: it does not exist']);
  });
});

describe('ReportedRrsets', () => {
  it('holds a change exactly when its reported key is among the keys', () => {
    const name = fc.constantFrom('example.com', 'a.example.com', 'b.a.example.com', 'x-y.example.com');
    const type = fc.constantFrom('A', 'TXT', 'CNAME', 'ALIAS');
    fc.assert(
      fc.property(fc.array(fc.tuple(name, type), { maxLength: 8 }), name, type, (pairs, changeName, changeType) => {
        const keys = pairs.map(([n, t]) => `${n}|${t === 'ALIAS' ? 'CNAME' : t}`);
        const reported = ReportedRrsets.ofKeys(keys);
        const change = { name: `${changeName}.`, type: changeType, changetype: 'DELETE' as const };
        const key = `${changeName}|${changeType === 'ALIAS' ? 'CNAME' : changeType}`;
        expect(reported.holds(change)).toBe(keys.includes(key));
      }),
      { numRuns: 300 },
    );
  });

  it('reads a zone the way Records reports it: disabled rrsets and ALIAS off the apex are not held', () => {
    const reported = ReportedRrsets.ofZone(
      [
        { name: 'Www.Example.com.', type: 'A', ttl: 60, records: [{ content: '192.0.2.1', disabled: false }] },
        { name: 'off.example.com.', type: 'A', ttl: 60, records: [{ content: '192.0.2.2', disabled: true }] },
        { name: 'example.com.', type: 'ALIAS', ttl: 60, records: [{ content: 'x.example.net.', disabled: false }] },
      ],
      'example.com',
    );
    const change = (name: string, type: string) => ({ name, type, changetype: 'DELETE' as const });
    expect(reported.holds(change('www.example.com.', 'A'))).toBe(true);
    expect(reported.holds(change('off.example.com.', 'A'))).toBe(false);
    expect(reported.holds(change('example.com.', 'ALIAS'))).toBe(true);
    expect(reported.holds(change('www.example.com.', 'TXT'))).toBe(false);
  });
});

describe('zoneFinder', () => {
  it('finds the same zone as findZone, for any names and zones', () => {
    const label = fc.constantFrom('a', 'b', 'example', 'com', 'sub', 'myexample');
    const name = fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => labels.join('.'));
    fc.assert(
      fc.property(
        fc.array(name, { maxLength: 6 }),
        fc.array(name, { maxLength: 20 }),
        fc.boolean(),
        (zs, names, root) => {
          const all = root ? [...zs, '.'] : zs;
          const find = zoneFinder(all);
          for (const n of names) expect(find(n)).toBe(findZone(n, all));
        },
      ),
      { numRuns: 500 },
    );
    expect(zoneFinder(['example.com', 'sub.example.com'])('x.sub.example.com')).toBe('sub.example.com');
    expect(zoneFinder(['example.com'])('myexample.com')).toBeUndefined();
  });

  it('takes the last zone found as a shortcut only where no managed zone lies below it', () => {
    const find = zoneFinder(['example.com', 'sub.example.com', 'example.org']);
    const names = ['a.example.org', 'b.example.org', 'x.example.com', 'y.sub.example.com', 'z.example.com'];
    expect(names.map(find)).toEqual(['example.org', 'example.org', 'example.com', 'sub.example.com', 'example.com']);
    expect(['myexample.org', 'example.org', 'org'].map(find)).toEqual([undefined, 'example.org', undefined]);
  });
});

describe('planSteps and onZone', () => {
  const host = fc.constantFrom(
    'a.example.com',
    'A.Example.COM.',
    'x.sub.example.com',
    ' example.org ',
    'myexample.com',
    'bad name.example.com',
    '*.example.org',
  );
  const endpoint = fc.record({
    dnsName: host,
    recordType: fc.constantFrom('A', 'TXT', 'CNAME', 'HINFO'),
    targets: fc.constantFrom('192.0.2.1', '"t"', 'target.example.net', 'not an ip').map((target) => [target]),
  });
  const list = fc.array(endpoint, { maxLength: 6 });

  it('reports each zone a patch is written to, once, before planning ends', () => {
    fc.assert(
      fc.property(list, list, list, (create, updates, deletes) => {
        const batch = changes({ create, updateOld: updates, updateNew: updates, delete: deletes });
        const reported: string[] = [];
        let written: string[];
        try {
          written = planChanges(batch, zones, 300, { onZone: (zone) => reported.push(zone) }).patches.map(
            (patch) => patch.zone,
          );
        } catch (error) {
          if (error instanceof ChangeRejectedError) return; // the same rrset twice: nothing is written
          throw error;
        }
        expect(new Set(reported).size).toBe(reported.length);
        for (const zone of written) expect(reported).toContain(zone);
        for (const zone of reported) expect(zones).toContain(zone);
      }),
      { numRuns: 300 },
    );
  });

  it('pauses after each new zone and every PLAN_SLICE changes, and plans what planChanges plans', () => {
    const create = Array.from({ length: PLAN_SLICE * 2 + 5 }, (_, i) => ({
      dnsName: `h${i}.${i === 10 ? 'example.org' : 'example.com'}`,
      recordType: 'A',
      targets: [`192.0.2.${i % 250}`],
    }));
    const batch = changes({ create });
    const events: string[] = [];
    const steps = planSteps(batch, zones, 300, { onZone: (zone) => events.push(`zone ${zone}`) });
    let step = steps.next();
    for (; !step.done; step = steps.next()) events.push('pause');
    // A pause at each new zone (changes 0 and 10), each restarting the count,
    // then one PLAN_SLICE changes after the last: 2 * PLAN_SLICE - 6 changes are left.
    expect(events).toEqual(['zone example.com', 'pause', 'zone example.org', 'pause', 'pause']);
    expect(step.value).toEqual(planChanges(batch, zones, 300));
    expect(step.value.patches.map((patch) => patch.rrsets.length)).toEqual([PLAN_SLICE * 2 + 4, 1]);
  });
});
