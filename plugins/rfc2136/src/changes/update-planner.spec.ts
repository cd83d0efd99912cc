import * as dnsPacket from 'dns-packet';
import type { Endpoint, PlannedChange } from '@dnsgate/plugin-sdk';
import { readMessageLayout } from '../dns/dns-message.reader.js';
import { buildFramedUpdate, buildUpdateMessage, updateOverhead } from '../dns/update-message.builder.js';
import { MAX_UPDATE_BYTES, batchUnits, changeUnit, fitsOneMessage, type ChangeUnit } from './update-planner.js';

type Rr = { name: string; type: string; class: string; ttl: number; data?: unknown };

/** The unit's updates alone in a message (dns-packet cannot decode prerequisites: class NONE, empty rdata). */
function decodeUpdates(
  zone: string,
  unit: ChangeUnit,
): { answers: Rr[]; authorities: Rr[]; opcode: string; questions: unknown[] } {
  const sections = {
    prerequisites: Buffer.alloc(0),
    prerequisiteCount: 0,
    updates: unit.updates,
    updateCount: unit.updateCount,
  };
  return dnsPacket.decode(buildUpdateMessage(zone, [sections])) as never;
}

/** The last 10 bytes of each prerequisite (all at one name, no rdata): type, class, TTL, rdlength. */
function prerequisiteTails(unit: ChangeUnit): Buffer[] {
  const size = unit.prerequisites.length / unit.prerequisiteCount;
  return Array.from({ length: unit.prerequisiteCount }, (_, i) =>
    unit.prerequisites.subarray((i + 1) * size - 10, (i + 1) * size),
  );
}

const create = (desired: Endpoint): PlannedChange => ({ action: 'create', desired });
const remove = (current: Endpoint): PlannedChange => ({ action: 'delete', current });

describe('UPDATE planning (RFC 2136)', () => {
  it('create: "RRset does not exist", "no CNAME at the name", then one class IN add per target', () => {
    const unit = changeUnit(
      create({ dnsName: 'www.example.com', recordType: 'A', targets: ['192.0.2.1', '192.0.2.2'], recordTTL: 60 }),
      'example.com',
    );
    expect(unit.description).toBe('create A www.example.com');
    expect(unit.zone).toBe('example.com');
    // Prerequisites: name, type A then CNAME, class NONE (254), TTL 0, empty rdata. dns-packet cannot decode them (no class NONE, no empty rdata).
    expect(prerequisiteTails(unit)).toEqual([
      Buffer.from([0, 1, 0, 254, 0, 0, 0, 0, 0, 0]),
      Buffer.from([0, 5, 0, 254, 0, 0, 0, 0, 0, 0]),
    ]);
    const message = decodeUpdates('example.com', unit);
    expect(message.opcode).toBe('UPDATE');
    expect(message.questions).toEqual([{ name: 'example.com', type: 'SOA', class: 'IN' }]);
    // dns-packet reads the update section as "authorities".
    expect(message.authorities.map((rr) => [rr.class, rr.ttl, rr.data])).toEqual([
      ['IN', 60, '192.0.2.1'],
      ['IN', 60, '192.0.2.2'],
    ]);
    expect(unit.bytes).toBe(unit.prerequisites.length + unit.updates.length);
    expect(unit.prerequisites.subarray(0, 17)).toEqual(Buffer.from('\x03www\x07example\x03com\x00', 'latin1'));
  });

  it('create of a CNAME: "RRset does not exist" and "name not in use" (type ANY, class NONE)', () => {
    const unit = changeUnit(
      create({ dnsName: 'c.example.com', recordType: 'CNAME', targets: ['x.example.net'] }),
      'example.com',
    );
    expect(prerequisiteTails(unit)).toEqual([
      Buffer.from([0, 5, 0, 254, 0, 0, 0, 0, 0, 0]),
      Buffer.from([0, 255, 0, 254, 0, 0, 0, 0, 0, 0]),
    ]);
  });

  it('delete: "RRset exists" (class ANY, empty rdata) then class NONE deletes of each RR', () => {
    const unit = changeUnit(
      remove({ dnsName: 'x.myexample.com', recordType: 'TXT', targets: ['"a"', '"b"'] }),
      'myexample.com',
    );
    expect(unit.description).toBe('delete TXT x.myexample.com');
    expect(prerequisiteTails(unit)).toEqual([Buffer.from([0, 16, 0, 255, 0, 0, 0, 0, 0, 0])]);
    const message = decodeUpdates('myexample.com', unit);
    // Class NONE (254) is "UNKNOWN_254" to dns-packet.
    expect(message.authorities.map((rr) => [rr.class, rr.ttl, (rr.data as Buffer[]).map(String)])).toEqual([
      ['UNKNOWN_254', 0, ['a']],
      ['UNKNOWN_254', 0, ['b']],
    ]);
  });

  it('update: "RRset exists", then the old RRs deleted and the new ones added in one unit', () => {
    const unit = changeUnit(
      {
        action: 'update',
        current: { dnsName: 'u.example.com', recordType: 'A', targets: ['192.0.2.1'], recordTTL: 300 },
        desired: { dnsName: 'u.example.com', recordType: 'A', targets: ['192.0.2.9'], recordTTL: 900 },
      },
      'example.com',
    );
    expect(unit.description).toBe('update A u.example.com');
    expect(prerequisiteTails(unit)).toEqual([Buffer.from([0, 1, 0, 255, 0, 0, 0, 0, 0, 0])]);
    const message = decodeUpdates('example.com', unit);
    expect(message.authorities.map((rr) => [rr.class, rr.ttl, rr.data])).toEqual([
      ['UNKNOWN_254', 0, '192.0.2.1'],
      ['IN', 900, '192.0.2.9'],
    ]);
  });

  it('batches by BATCH_SIZE and by message size, keeping each change whole and in order', () => {
    const units = Array.from({ length: 23 }, (_, i) =>
      changeUnit(create({ dnsName: `h${i}.example.com`, recordType: 'A', targets: ['192.0.2.1'] }), 'example.com'),
    );
    const batches = batchUnits(units, 10, 'example.com');
    expect(batches.map((b) => b.length)).toEqual([10, 10, 3]);
    expect(batches.flat()).toEqual(units);
    const bigUnits = Array.from({ length: 10 }, (_, i) =>
      changeUnit(
        create({ dnsName: `t${i}.example.com`, recordType: 'TXT', targets: ['x'.repeat(15_000)] }),
        'example.com',
      ),
    );
    const big = batchUnits(bigUnits, 50, 'example.com');
    expect(big.length).toBeGreaterThan(1);
    expect(big.flat()).toEqual(bigUnits);
    for (const batch of big) {
      const message = buildUpdateMessage('example.com', batch);
      expect(message.length).toBeLessThanOrEqual(MAX_UPDATE_BYTES);
    }
  });

  it('puts a create in a later message than a delete at its name, so a type change is not refused whole', () => {
    const units = [
      changeUnit(remove({ dnsName: 'x.example.com', recordType: 'A', targets: ['192.0.2.1'] }), 'example.com'),
      changeUnit(remove({ dnsName: 'y.example.com', recordType: 'TXT', targets: ['"t"'] }), 'example.com'),
      changeUnit(create({ dnsName: 'z.example.com', recordType: 'A', targets: ['192.0.2.2'] }), 'example.com'),
      changeUnit(create({ dnsName: 'x.example.com', recordType: 'CNAME', targets: ['t.example.net'] }), 'example.com'),
      changeUnit(create({ dnsName: 'w.example.com', recordType: 'A', targets: ['192.0.2.3'] }), 'example.com'),
    ];
    expect(batchUnits(units, 50, 'example.com').map((batch) => batch.map((u) => u.description))).toEqual([
      ['delete A x.example.com', 'delete TXT y.example.com', 'create A z.example.com'],
      ['create CNAME x.example.com', 'create A w.example.com'],
    ]);
  });

  it('sends a unit larger than one message alone rather than dropping it', () => {
    const huge = changeUnit(
      create({
        dnsName: 'huge.example.com',
        recordType: 'TXT',
        targets: Array.from({ length: 300 }, (_, i) => `${i}${'y'.repeat(250)}`),
      }),
      'example.com',
    );
    const small = changeUnit(
      create({ dnsName: 's.example.com', recordType: 'A', targets: ['192.0.2.1'] }),
      'example.com',
    );
    expect(huge.bytes).toBeGreaterThan(MAX_UPDATE_BYTES);
    expect(batchUnits([small, huge, small], 50, 'example.com').map((b) => b.length)).toEqual([1, 1, 1]);
  });

  it('tells whether a record set fits one UPDATE message, prerequisites and zone overhead included', () => {
    const txt = (bytes: number): Endpoint => ({
      dnsName: 'big.example.com',
      recordType: 'TXT',
      // Each target: one character-string of up to 255 bytes.
      targets: Array.from(
        { length: Math.ceil(bytes / 250) },
        (_, i) => `${String(i).padStart(5, '0')}${'z'.repeat(245)}`,
      ),
    });
    expect(fitsOneMessage(txt(10_000), 'example.com')).toBe(true);
    expect(fitsOneMessage(txt(70_000), 'example.com')).toBe(false);
    // The boundary is exactly the message limit.
    let targets = 1;
    while (fitsOneMessage(txt(targets * 250), 'example.com')) targets++;
    const last = changeUnit(create(txt((targets - 1) * 250)), 'example.com');
    const over = changeUnit(create(txt(targets * 250)), 'example.com');
    expect(last.bytes + updateOverhead('example.com')).toBeLessThanOrEqual(MAX_UPDATE_BYTES);
    expect(over.bytes + updateOverhead('example.com')).toBeGreaterThan(MAX_UPDATE_BYTES);
  });

  it('weighs a record set as its create would be encoded, without encoding it', () => {
    const cases: Endpoint[] = [
      { dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1', '192.0.2.2'] },
      { dnsName: 'aaaa.example.com', recordType: 'AAAA', targets: ['2001:db8::1'] },
      { dnsName: 'c.example.com', recordType: 'CNAME', targets: ['target.example.net'] },
      { dnsName: 'mx.example.com', recordType: 'MX', targets: ['10 mail.example.com'] },
      { dnsName: 't.example.com', recordType: 'TXT', targets: ['"v=spf1 -all"', '"x"'] },
    ];
    for (const endpoint of cases) {
      const bytes = changeUnit(create(endpoint), 'example.com').bytes + updateOverhead('example.com');
      // The largest number of the same target that fits, as fitsOneMessage sees it, is what the unit's bytes say.
      const per = (bytes - updateOverhead('example.com')) / endpoint.targets.length;
      const times = (n: number): Endpoint => ({
        ...endpoint,
        targets: Array.from({ length: n }, () => endpoint.targets[0]!),
      });
      let n = 1;
      while (fitsOneMessage(times(n), 'example.com')) n++;
      const last = changeUnit(create(times(n - 1)), 'example.com').bytes + updateOverhead('example.com');
      const over = changeUnit(create(times(n)), 'example.com').bytes + updateOverhead('example.com');
      expect(last).toBeLessThanOrEqual(MAX_UPDATE_BYTES);
      expect(over).toBeGreaterThan(MAX_UPDATE_BYTES);
      expect(per).toBeGreaterThan(0);
    }
  });

  it('builds a batch in one framed buffer: the length first, every prerequisite before every update, room after', () => {
    const units = [
      changeUnit(create({ dnsName: 'x.example.com', recordType: 'A', targets: ['192.0.2.1'] }), 'example.com'),
      changeUnit(remove({ dnsName: 'y.example.com', recordType: 'TXT', targets: ['"a"', '"b"'] }), 'example.com'),
    ];
    const framed = buildFramedUpdate('example.com', units, 100);
    expect(framed.room).toBe(100);
    const frame = framed.frame();
    expect(frame.readUInt16BE(0)).toBe(frame.length - 2);
    const layout = readMessageLayout(framed.message);
    expect([layout.opcode, layout.qdcount, layout.ancount, layout.nscount, layout.arcount]).toEqual([5, 1, 3, 3, 0]);
    expect(framed.message.subarray(layout.answerOffset)).toEqual(
      Buffer.concat([units[0]!.prerequisites, units[1]!.prerequisites, units[0]!.updates, units[1]!.updates]),
    );
    expect(buildUpdateMessage('example.com', units)).toEqual(framed.message);
  });
});
