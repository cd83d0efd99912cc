import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { conflictOf, type Endpoint, type PlannedChange } from '@dnsgate/plugin-sdk';
import { PatchBodyWriter } from '../client/patch-body.writer.js';
import { pdnsTypeOf, ReportedRrsets, rrsetChangesOf, rrsetsNamedIn, writeRrsetChanges } from './rrset-changes.js';

const create = (desired: Endpoint): PlannedChange => ({ action: 'create', desired });
const remove = (current: Endpoint): PlannedChange => ({ action: 'delete', current });
const update = (current: Endpoint, desired: Endpoint): PlannedChange => ({ action: 'update', current, desired });

describe('rrsetChangesOf', () => {
  it('makes one rrset per change, index for index: DELETE for a delete, REPLACE with every target otherwise', () => {
    const rrsets = rrsetChangesOf(
      [
        remove({ dnsName: 'old.example.com', recordType: 'CNAME', targets: ['x.example.net'] }),
        update(
          { dnsName: 'example.com', recordType: 'MX', targets: ['10 a.example.com'] },
          { dnsName: 'example.com', recordType: 'MX', targets: ['20 b.example.com', '30 c.example.com'], recordTTL: 0 },
        ),
        create({ dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'] }),
        create({ dnsName: 'x.example.com', recordType: 'TXT', targets: ['"hello"'], recordTTL: 60 }),
      ],
      'example.com',
      300,
    );
    expect(rrsets).toEqual([
      { name: 'old.example.com.', type: 'CNAME', changetype: 'DELETE' },
      {
        name: 'example.com.',
        type: 'MX',
        ttl: 300,
        changetype: 'REPLACE',
        records: [
          { content: '20 b.example.com.', disabled: false },
          { content: '30 c.example.com.', disabled: false },
        ],
      },
      {
        name: 'a.example.com.',
        type: 'A',
        ttl: 300,
        changetype: 'REPLACE',
        records: [{ content: '192.0.2.1', disabled: false }],
      },
      {
        name: 'x.example.com.',
        type: 'TXT',
        ttl: 60,
        changetype: 'REPLACE',
        records: [{ content: '"hello"', disabled: false }],
      },
    ]);
  });

  it('writes a CNAME at the apex as ALIAS, for create and delete alike, and only at the apex', () => {
    const rrsets = rrsetChangesOf(
      [
        remove({ dnsName: 'example.com', recordType: 'CNAME', targets: ['old.example.net'] }),
        create({ dnsName: 'example.com', recordType: 'CNAME', targets: ['lb.example.net'] }),
        create({ dnsName: 'www.example.com', recordType: 'CNAME', targets: ['lb.example.net'] }),
      ],
      'example.com',
      300,
    );
    expect(rrsets.map((r) => `${r.changetype} ${r.type} ${r.name}`)).toEqual([
      'DELETE ALIAS example.com.',
      'REPLACE ALIAS example.com.',
      'REPLACE CNAME www.example.com.',
    ]);
    expect(pdnsTypeOf({ dnsName: 'example.com', recordType: 'A', targets: [] }, 'example.com')).toBe('A');
    expect(pdnsTypeOf({ dnsName: 'sub.example.com', recordType: 'CNAME', targets: [] }, 'example.com')).toBe('CNAME');
  });
});

describe('writeRrsetChanges', () => {
  const name = fc.oneof(
    fc.constantFrom('example.com', 'www.example.com', '*.example.com', 'xn--bcher-kva.example.com'),
    fc.string({ unit: 'binary', maxLength: 12 }).map((label) => `${label}.example.com`),
  );
  const target = fc.oneof(
    fc.constantFrom('192.0.2.1', 'lb.example.net', '"heritage=external-dns,external-dns/owner=default"', '"a \\"b\\""'),
    fc.string({ unit: 'binary', maxLength: 20 }),
  );
  const endpoint = fc.record(
    {
      dnsName: name,
      recordType: fc.constantFrom('A', 'AAAA', 'CNAME', 'TXT', 'NS', 'PTR'),
      targets: fc.array(target, { minLength: 1, maxLength: 3 }),
      recordTTL: fc.oneof(fc.constant(undefined), fc.integer({ min: -5, max: 3_000_000_000 }), fc.double()),
    },
    { requiredKeys: ['dnsName', 'recordType', 'targets'] },
  ) as fc.Arbitrary<Endpoint>;
  const change = fc.oneof(
    endpoint.map(create),
    endpoint.map(remove),
    fc.tuple(endpoint, endpoint).map(([a, b]) => update(a, b)),
  );

  it('writes byte for byte JSON.stringify({ rrsets: rrsetChangesOf(…) }), with one writer call after call', () => {
    const writer = new PatchBodyWriter();
    fc.assert(
      fc.property(fc.array(change, { maxLength: 30 }), fc.integer({ min: 1, max: 86400 }), (changes, defaultTtl) => {
        writer.begin();
        writeRrsetChanges(writer, changes, 'example.com', defaultTtl);
        expect(writer.end().toString('utf8')).toBe(
          JSON.stringify({ rrsets: rrsetChangesOf(changes, 'example.com', defaultTtl) }),
        );
      }),
      { numRuns: 500 },
    );
  });
});

describe('ReportedRrsets', () => {
  const endpoint = (dnsName: string, recordType: string): Endpoint => ({ dnsName, recordType, targets: [] });

  it('holds a record set exactly when its reported key is among the keys', () => {
    const name = fc.constantFrom('example.com', 'a.example.com', 'b.a.example.com', 'x-y.example.com');
    const type = fc.constantFrom('A', 'TXT', 'CNAME', 'ALIAS');
    fc.assert(
      fc.property(fc.array(fc.tuple(name, type), { maxLength: 8 }), name, type, (pairs, changeName, changeType) => {
        const keys = pairs.map(([n, t]) => `${n}|${t === 'ALIAS' ? 'CNAME' : t}`);
        const reported = ReportedRrsets.ofKeys(keys);
        expect(reported.holds(endpoint(changeName, changeType))).toBe(keys.includes(`${changeName}|${changeType}`));
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
        { name: 'sub.example.com.', type: 'ALIAS', ttl: 60, records: [{ content: 'x.example.net.', disabled: false }] },
        { name: 'example.com.', type: 'SOA', ttl: 60, records: [{ content: 'a. b. 1 2 3 4 5', disabled: false }] },
      ],
      'example.com',
    );
    expect(reported.holds(endpoint('www.example.com', 'A'))).toBe(true);
    expect(reported.holds(endpoint('off.example.com', 'A'))).toBe(false);
    // The apex ALIAS is the CNAME Records reports.
    expect(reported.holds(endpoint('example.com', 'CNAME'))).toBe(true);
    expect(reported.holds(endpoint('sub.example.com', 'CNAME'))).toBe(false);
    expect(reported.holds(endpoint('example.com', 'SOA'))).toBe(false);
    expect(reported.holds(endpoint('www.example.com', 'TXT'))).toBe(false);
  });

  it('gives the pipeline its conflicts: creates must be absent, updates and deletes present', () => {
    const state = ReportedRrsets.ofKeys(['example.com|CNAME', 'taken.example.com|A', 'here.example.com|TXT']);
    const a = (dnsName: string): Endpoint => ({ dnsName, recordType: 'A', targets: ['192.0.2.1'] });
    expect(
      conflictOf(create({ dnsName: 'example.com', recordType: 'CNAME', targets: ['lb.example.net'] }), state),
    ).toBe('cannot create CNAME example.com: it already exists');
    expect(conflictOf(create(a('taken.example.com')), state)).toBe(
      'cannot create A taken.example.com: it already exists',
    );
    expect(conflictOf(create(a('new.example.com')), state)).toBeUndefined();
    expect(conflictOf(update(a('missing.example.com'), a('missing.example.com')), state)).toBe(
      'cannot update A missing.example.com: it does not exist',
    );
    // The name exists with another type: the A set still does not.
    expect(conflictOf(remove(a('here.example.com')), state)).toBe(
      'cannot delete A here.example.com: it does not exist',
    );
    expect(
      conflictOf(remove({ dnsName: 'here.example.com', recordType: 'TXT', targets: ['"x"'] }), state),
    ).toBeUndefined();
  });
});

describe('rrsetsNamedIn', () => {
  const rrsets = rrsetChangesOf(
    [
      create({ dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'] }),
      create({ dnsName: 'www.example.com', recordType: 'CNAME', targets: ['x.example.net'] }),
      create({ dnsName: 'www.example.com', recordType: 'TXT', targets: ['"t"'] }),
      create({ dnsName: 'awww.example.com', recordType: 'A', targets: ['192.0.2.2'] }),
    ],
    'example.com',
    300,
  );

  it('names the rrset PowerDNS names by name and type', () => {
    expect(rrsetsNamedIn(rrsets, 'RRset www.example.com. IN CNAME: Conflicts with pre-existing RRset')).toEqual([1]);
    expect(rrsetsNamedIn(rrsets, "Record www.example.com./TXT '\"t': Parsing record content")).toEqual([2]);
  });

  it('names every rrset at the name when the message gives no type, never a name that only ends the same', () => {
    expect(rrsetsNamedIn(rrsets, 'Name www.example.com. is occluded')).toEqual([1, 2]);
    expect(rrsetsNamedIn(rrsets, 'something about a.example.com.')).toEqual([0]);
  });

  it('names none when the message names none', () => {
    expect(rrsetsNamedIn(rrsets, 'Unprocessable Entity')).toEqual([]);
  });
});
