import { ChangeRejectedError, emptyChanges, type Changes, type Endpoint } from '@dnsgate/plugin-sdk';
import { parseZoneFile } from '../zone-file/zone-file.parser.js';
import { InvalidRecordError } from '../zone-file/zone-file.errors.js';
import type { ZoneFile } from '../zone-file/zone-record.js';
import { applyGroupToZone, applyToZones, cnameConflict } from './zone-changes.js';
import { endpointsOf } from './zone-endpoints.js';
import { ZoneIndex } from './zone-index.js';

const ZONE = 'example.com';
const text = `$ORIGIN example.com.
$TTL 300
@ 3600 IN SOA ns1 hostmaster 1 3600 600 1209600 300
@ 3600 IN NS ns1
ns1 A 192.0.2.53
www A 192.0.2.1
www A 192.0.2.2
www TXT "hello"
alias CNAME www
hinfo HINFO "PC" "Linux"
`;
const file = (): ZoneFile => parseZoneFile(text, { origin: ZONE });
const ep = (dnsName: string, recordType: string, targets: string[]): Endpoint => ({
  dnsName,
  recordType,
  targets,
  recordTTL: 300,
});
const batch = (partial: Partial<Changes>): Changes => ({ ...emptyChanges(), ...partial });

describe('applyToZones', () => {
  it('creates, updates and deletes rrsets and leaves every other record as it was', () => {
    const zone = file();
    const changed = applyToZones(
      [zone],
      batch({
        create: [ep('new.example.com', 'A', ['192.0.2.9'])],
        updateOld: [ep('www.example.com', 'A', ['192.0.2.1', '192.0.2.2'])],
        updateNew: [ep('www.example.com', 'A', ['192.0.2.3'])],
        delete: [ep('alias.example.com', 'CNAME', ['www.example.com'])],
      }),
      [ZONE],
    );
    expect([...changed]).toEqual([ZONE]);
    expect(endpointsOf(zone, [ZONE]).map((e) => `${e.dnsName} ${e.recordType} ${e.targets.join(',')}`)).toEqual([
      'new.example.com A 192.0.2.9',
      'ns1.example.com A 192.0.2.53',
      'www.example.com A 192.0.2.3',
      'www.example.com TXT "hello"',
    ]);
    // Verbatim and apex records are carried through.
    expect(zone.records.filter((r) => r.type === 'HINFO' || r.type === 'SOA' || r.type === 'NS')).toHaveLength(3);
  });

  it('refuses a create of an existing rrset and a delete of a missing one, and changes nothing', () => {
    const zone = file();
    const before = JSON.stringify(zone.records);
    expect(() => applyToZones([zone], batch({ create: [ep('www.example.com', 'A', ['192.0.2.7'])] }), [ZONE])).toThrow(
      ChangeRejectedError,
    );
    expect(() => applyToZones([zone], batch({ delete: [ep('nope.example.com', 'A', ['192.0.2.7'])] }), [ZONE])).toThrow(
      /does not exist/,
    );
    expect(JSON.stringify(zone.records)).toBe(before);
  });

  it('refuses a CNAME beside other data, naming the name', () => {
    const zone = file();
    expect(() =>
      applyToZones([zone], batch({ create: [ep('www.example.com', 'CNAME', ['x.example.net'])] }), [ZONE]),
    ).toThrow(new InvalidRecordError('CNAME www.example.com would sit beside other records (A, CNAME, TXT)'));
  });

  it('touches only the zone each change belongs to', () => {
    const parent = file();
    const child = parseZoneFile('@ 3600 IN SOA ns1 h 1 1 1 1 1\n', { origin: 'sub.example.com' });
    const changed = applyToZones([parent, child], batch({ create: [ep('a.sub.example.com', 'A', ['192.0.2.4'])] }), [
      ZONE,
      'sub.example.com',
    ]);
    expect([...changed]).toEqual(['sub.example.com']);
    expect(child.records.map((r) => r.name)).toContain('a.sub.example.com');
    expect(parent.records.map((r) => r.name)).not.toContain('a.sub.example.com');
  });
});

describe('ZoneIndex for some names', () => {
  it('answers for its names, refuses others, and gives back every record', () => {
    const zone = file();
    const index = ZoneIndex.forNames(zone, new Set(['www.example.com']));
    expect(index.rrset('www.example.com', 'A').map((r) => r.data)).toEqual(['192.0.2.1', '192.0.2.2']);
    expect(() => index.recordsAt('alias.example.com')).toThrow(/not one of the names/);
    expect(index.size).toBe(zone.records.length);
    expect(index.records().length).toBe(zone.records.length);
  });

  it('lets one group be applied and a bad change be told by its name', () => {
    const index = ZoneIndex.forNames(file(), new Set(['www.example.com', 'other.example.com']));
    const names = applyGroupToZone(
      index,
      batch({
        create: [ep('other.example.com', 'A', ['192.0.2.8'])],
        updateNew: [ep('www.example.com', 'CNAME', ['other.example.com'])],
      }),
    );
    expect([...names].map((name) => [name, cnameConflict(index, name) !== undefined])).toEqual([
      ['www.example.com', true],
      ['other.example.com', false],
    ]);
  });
});

describe('ZoneIndex snapshot and restore', () => {
  it('undoes a group that proved bad, and only that group', () => {
    const zone = file();
    const names = new Set(['www.example.com', 'new.example.com', 'alias.example.com']);
    const index = ZoneIndex.forNames(zone, names);
    applyGroupToZone(index, batch({ delete: [ep('alias.example.com', 'CNAME', ['www.example.com'])] }));
    const good = JSON.stringify(index.records());
    const size = index.size;

    const bad = batch({
      create: [ep('new.example.com', 'A', ['192.0.2.9'])],
      updateNew: [ep('www.example.com', 'CNAME', ['x.example.net'])],
    });
    const saved = index.snapshot(['new.example.com', 'www.example.com']);
    const touched = applyGroupToZone(index, bad);
    expect([...touched].some((name) => cnameConflict(index, name) !== undefined)).toBe(true);
    index.restore(saved);

    expect(JSON.stringify(index.records())).toBe(good);
    expect(index.size).toBe(size);
    expect(index.recordsAt('new.example.com')).toEqual([]);
  });
});

describe('endpointsOf at scale', () => {
  it('lists 300,000 records without a stack overflow, each name once, in name order', () => {
    const records = Array.from({ length: 300_000 }, (_, i) => ({
      name: `h${i}.example.com`,
      ttl: 300,
      type: 'A',
      data: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      verbatim: false,
      origin: ZONE,
    }));
    const endpoints = endpointsOf({ origin: ZONE, records }, [ZONE]);
    expect(endpoints).toHaveLength(300_000);
    expect(endpoints.every((e, i) => i === 0 || endpoints[i - 1]!.dnsName < e.dnsName)).toBe(true);
  });
});
