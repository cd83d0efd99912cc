import { emptyChanges, type Changes, type Endpoint, type PlannedChange } from '@dnsgate/plugin-sdk';
import { parseZoneFile } from '../zone-file/zone-file.parser.js';
import { InvalidRecordError } from '../zone-file/zone-file.errors.js';
import type { ZoneFile } from '../zone-file/zone-record.js';
import { CnameBesideDataError, applyGroupToFile, applyGroupToZone, cnameConflict } from './zone-changes.js';
import { endpointsOf } from './zone-endpoints.js';
import { ZoneIndex } from './zone-index.js';
import { sortRecordsForWriting } from '../zone-file/zone-file.writer.js';

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

const create = (endpoint: Endpoint): PlannedChange => ({ action: 'create', desired: endpoint });
const remove = (endpoint: Endpoint): PlannedChange => ({ action: 'delete', current: endpoint });
const update = (current: Endpoint, desired: Endpoint): PlannedChange => ({ action: 'update', current, desired });

describe('applyGroupToFile', () => {
  it('creates, updates and deletes rrsets and leaves every other record as it was', () => {
    const zone = file();
    const result = applyGroupToFile(zone, [
      remove(ep('alias.example.com', 'CNAME', ['www.example.com'])),
      update(ep('www.example.com', 'A', ['192.0.2.1', '192.0.2.2']), ep('www.example.com', 'A', ['192.0.2.3'])),
      create(ep('new.example.com', 'A', ['192.0.2.9'])),
    ]);
    expect(result).toEqual({ conflicts: [], changed: true });
    expect(endpointsOf(zone, [ZONE]).map((e) => `${e.dnsName} ${e.recordType} ${e.targets.join(',')}`)).toEqual([
      'new.example.com A 192.0.2.9',
      'ns1.example.com A 192.0.2.53',
      'www.example.com A 192.0.2.3',
      'www.example.com TXT "hello"',
    ]);
    // Verbatim and apex records are carried through.
    expect(zone.records.filter((r) => r.type === 'HINFO' || r.type === 'SOA' || r.type === 'NS')).toHaveLength(3);
  });

  it('leaves out, as conflicts, a create of an existing rrset and a delete of a missing one, and applies the rest', () => {
    const zone = file();
    const stale = create(ep('www.example.com', 'A', ['192.0.2.7']));
    const gone = remove(ep('nope.example.com', 'A', ['192.0.2.7']));
    const result = applyGroupToFile(zone, [gone, stale, create(ep('fresh.example.com', 'A', ['192.0.2.8']))]);
    expect(result.conflicts.map((c) => [c.change, c.problem])).toEqual([
      [gone, 'cannot delete A nope.example.com: it does not exist'],
      [stale, 'cannot create A www.example.com: it already exists'],
    ]);
    expect(endpointsOf(zone, [ZONE]).map((e) => e.dnsName)).toContain('fresh.example.com');
    expect(zone.records.filter((r) => r.name === 'www.example.com' && r.type === 'A').map((r) => r.data)).toEqual([
      '192.0.2.1',
      '192.0.2.2',
    ]);
  });

  it('changes nothing when every change conflicts', () => {
    const zone = file();
    const before = JSON.stringify(zone.records);
    expect(applyGroupToFile(zone, [create(ep('www.example.com', 'A', ['192.0.2.7']))]).changed).toBe(false);
    expect(JSON.stringify(zone.records)).toBe(before);
  });

  it('refuses a CNAME beside other data, naming the name, before the file is touched', () => {
    const zone = file();
    const before = JSON.stringify(zone.records);
    const attempt = () => applyGroupToFile(zone, [create(ep('www.example.com', 'CNAME', ['x.example.net']))]);
    expect(attempt).toThrow(
      new InvalidRecordError('CNAME www.example.com would sit beside other records (A, CNAME, TXT)'),
    );
    expect(attempt).toThrow(CnameBesideDataError);
    expect(JSON.stringify(zone.records)).toBe(before);
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

describe('ZoneIndex snapshot and restore', () => {});

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

describe('applyGroupToFile in the writer’s order', () => {
  it('leaves sorted records sorted: the same records, in the order a sort of the result gives', () => {
    const sorted = (): ZoneFile => {
      const zone = file();
      zone.records = sortRecordsForWriting(zone.records, ZONE);
      return zone;
    };
    const changes = [
      remove(ep('alias.example.com', 'CNAME', ['www.example.com'])),
      update(ep('www.example.com', 'A', ['192.0.2.1', '192.0.2.2']), ep('www.example.com', 'A', ['192.0.2.9'])),
      create(ep('a.b.example.com', 'A', ['192.0.2.3'])),
      create(ep('zzz.example.com', 'TXT', ['"last"'])),
      create(ep('example.com', 'MX', ['10 mail.example.com'])),
      create(ep('mmm.example.com', 'AAAA', ['2001:db8::1'])),
    ];
    const inOrder = sorted();
    applyGroupToFile(inOrder, changes, { inWritingOrder: true });
    const reference = sorted();
    applyGroupToFile(reference, changes);
    expect(inOrder.records).toEqual(sortRecordsForWriting(reference.records, ZONE));
    expect(inOrder.records.map((r) => r.name)).toContain('a.b.example.com');
  });
});
