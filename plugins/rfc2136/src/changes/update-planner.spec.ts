import * as dnsPacket from 'dns-packet';
import { ChangeRejectedError } from '@dnsgate/plugin-sdk';
import { buildUpdateMessage } from '../dns/update-message.builder.js';
import { RCODE } from '../dns/dns-constants.js';
import { MAX_UPDATE_BYTES, batchUnits, findConflicts, planUpdates } from './update-planner.js';

const settings = { zones: ['example.com', 'myexample.com'], minTtl: 0, defaultTtl: 300 };
const empty = { create: [], updateOld: [], updateNew: [], delete: [] };

type Rr = { name: string; type: string; class: string; ttl: number; data?: unknown };

function decodeMessage(
  zone: string,
  prerequisites: Buffer[],
  updates: Buffer[],
): { answers: Rr[]; authorities: Rr[]; opcode: string; questions: unknown[] } {
  return dnsPacket.decode(buildUpdateMessage(0x4242, zone, prerequisites, updates)) as never;
}

describe('UPDATE planning (RFC 2136)', () => {
  it('create: "RRset does not exist" then one class IN add per target', () => {
    const plan = planUpdates(
      {
        ...empty,
        create: [{ dnsName: 'www.example.com', recordType: 'A', targets: ['192.0.2.1', '192.0.2.2'], recordTTL: 60 }],
      },
      settings,
    );
    const [unit] = plan.byZone.get('example.com')!;
    // Prerequisite: name, type A, class NONE (254), TTL 0, empty rdata. dns-packet cannot decode it (no class NONE, no empty rdata).
    const raw = unit!.prerequisites[0]!;
    expect(raw.subarray(raw.length - 10)).toEqual(Buffer.from([0, 1, 0, 254, 0, 0, 0, 0, 0, 0]));
    const message = decodeMessage('example.com', [], unit!.updates);
    expect(message.opcode).toBe('UPDATE');
    expect(message.questions).toEqual([{ name: 'example.com', type: 'SOA', class: 'IN' }]);
    // dns-packet reads the update section as "authorities".
    expect(message.authorities.map((rr) => [rr.class, rr.ttl, rr.data])).toEqual([
      ['IN', 60, '192.0.2.1'],
      ['IN', 60, '192.0.2.2'],
    ]);
  });

  it('delete: "RRset exists" (class ANY, empty rdata) then class NONE deletes of each RR', () => {
    const plan = planUpdates(
      { ...empty, delete: [{ dnsName: 'x.myexample.com', recordType: 'TXT', targets: ['"a"', '"b"'] }] },
      settings,
    );
    const [unit] = plan.byZone.get('myexample.com')!;
    const raw = unit!.prerequisites[0]!;
    expect(raw.subarray(raw.length - 10)).toEqual(Buffer.from([0, 16, 0, 255, 0, 0, 0, 0, 0, 0]));
    const message = decodeMessage('myexample.com', [], unit!.updates);
    // Class NONE (254) is "UNKNOWN_254" to dns-packet.
    expect(message.authorities.map((rr) => [rr.class, rr.ttl, (rr.data as Buffer[]).map(String)])).toEqual([
      ['UNKNOWN_254', 0, ['a']],
      ['UNKNOWN_254', 0, ['b']],
    ]);
  });

  it('update: the old RRs deleted and the new ones added in one unit', () => {
    const plan = planUpdates(
      {
        ...empty,
        updateOld: [{ dnsName: 'u.example.com', recordType: 'A', targets: ['192.0.2.1'], recordTTL: 300 }],
        updateNew: [{ dnsName: 'u.example.com', recordType: 'A', targets: ['192.0.2.9'], recordTTL: 900 }],
      },
      settings,
    );
    const [unit] = plan.byZone.get('example.com')!;
    const message = decodeMessage('example.com', [], unit!.updates);
    expect(message.authorities.map((rr) => [rr.class, rr.ttl, rr.data])).toEqual([
      ['UNKNOWN_254', 0, '192.0.2.1'],
      ['IN', 900, '192.0.2.9'],
    ]);
  });

  it('groups by the longest zone on a dot boundary, deletes before updates before creates', () => {
    const plan = planUpdates(
      {
        ...empty,
        create: [{ dnsName: 'a.myexample.com', recordType: 'A', targets: ['192.0.2.1'] }],
        delete: [{ dnsName: 'b.myexample.com', recordType: 'A', targets: ['192.0.2.1'] }],
      },
      settings,
    );
    expect([...plan.byZone.keys()]).toEqual(['myexample.com']);
    expect(plan.byZone.get('myexample.com')!.map((u) => u.description)).toEqual([
      'delete A b.myexample.com',
      'create A a.myexample.com',
    ]);
  });

  it('reports what cannot be written instead of sending it', () => {
    const plan = planUpdates(
      { ...empty, create: [{ dnsName: 'x.other.org', recordType: 'A', targets: ['192.0.2.1'] }] },
      settings,
    );
    expect(plan.byZone.size).toBe(0);
    expect(plan.unwritable).toEqual([
      {
        action: 'create',
        description: 'create A x.other.org',
        reason: 'x.other.org is in none of the configured zones',
      },
    ]);
  });

  it('rejects the whole batch when one record appears twice', () => {
    const e = { dnsName: 'd.example.com', recordType: 'A', targets: ['192.0.2.1'] };
    expect(() =>
      planUpdates({ ...empty, create: [e], delete: [{ ...e, dnsName: 'D.example.com.' }] }, settings),
    ).toThrow(ChangeRejectedError);
  });

  it('batches by BATCH_SIZE and by message size, keeping each change whole', () => {
    const create = Array.from({ length: 23 }, (_, i) => ({
      dnsName: `h${i}.example.com`,
      recordType: 'A',
      targets: ['192.0.2.1'],
    }));
    const units = planUpdates({ ...empty, create }, settings).byZone.get('example.com')!;
    expect(batchUnits(units, 10, 'example.com').map((b) => b.length)).toEqual([10, 10, 3]);
    const big = Array.from({ length: 10 }, (_, i) => ({
      dnsName: `t${i}.example.com`,
      recordType: 'TXT',
      targets: ['x'.repeat(15_000)],
    }));
    const bigUnits = planUpdates({ ...empty, create: big }, settings).byZone.get('example.com')!;
    const batches = batchUnits(bigUnits, 50, 'example.com');
    expect(batches.length).toBeGreaterThan(1);
    for (const batch of batches) {
      const message = buildUpdateMessage(
        0,
        'example.com',
        batch.flatMap((u) => u.prerequisites),
        batch.flatMap((u) => u.updates),
      );
      expect(message.length).toBeLessThanOrEqual(MAX_UPDATE_BYTES);
    }
  });

  it('finds, before anything is sent, the changes whose prerequisites the zone as it is would fail', () => {
    const plan = planUpdates(
      {
        create: [
          { dnsName: 'Fresh.example.com.', recordType: 'A', targets: ['192.0.2.1'] },
          { dnsName: 'taken.example.com', recordType: 'a', targets: ['192.0.2.1'] },
        ],
        updateOld: [
          { dnsName: 'gone.example.com', recordType: 'TXT', targets: ['"x"'] },
          { dnsName: 'here.example.com', recordType: 'TXT', targets: ['"x"'] },
        ],
        updateNew: [
          { dnsName: 'gone.example.com', recordType: 'TXT', targets: ['"y"'] },
          { dnsName: 'here.example.com', recordType: 'TXT', targets: ['"y"'] },
        ],
        delete: [
          { dnsName: 'missing.example.com', recordType: 'MX', targets: ['10 mx.example.net'] },
          // The name exists, with another type: the MX set still does not.
          { dnsName: 'here.example.com', recordType: 'MX', targets: ['10 mx.example.net'] },
        ],
      },
      settings,
    );
    const units = plan.byZone.get('example.com')!;
    expect(units.map((u) => u.key)).toContain('fresh.example.com|A|');
    // Keys as Records reports the zone (endpointKey of its endpoints).
    const existing = new Set(['taken.example.com|A|', 'here.example.com|TXT|']);
    expect(findConflicts(units, existing).map((c) => [c.unit.description, c.rcode])).toEqual([
      ['delete MX missing.example.com', RCODE.NXRRSET],
      ['delete MX here.example.com', RCODE.NXRRSET],
      ['update TXT gone.example.com', RCODE.NXRRSET],
      ['create A taken.example.com', RCODE.YXRRSET],
    ]);
    expect(
      findConflicts(
        units,
        new Set([
          ...existing,
          'gone.example.com|TXT|',
          'missing.example.com|MX|',
          'here.example.com|MX|',
          'fresh.example.com|B|',
        ]),
      ),
    ).toHaveLength(1);
  });
});
