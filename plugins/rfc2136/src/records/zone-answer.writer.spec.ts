import fc from 'fast-check';
import { toWireEndpoint } from '@dnsgate/plugin-sdk';
import { MalformedMessageError } from '../dns/dns-message.reader.js';
import type { TransferRr } from '../dns/zone-transfer.reader.js';
import { compareNames } from './name-order.js';
import { ownerOf, rr } from './transfer-rr.spec-helper.js';
import { ZoneAnswerWriter } from './zone-answer.writer.js';
import { ZoneRecordsCollector } from './zone-records.collector.js';

const ZONES = ['zone.test', 'child.zone.test'];

/**
 * The writer's answer as one JSON array, with the message ends after the RRs
 * at `ends`: each RR given as the transport gives it (`addAt`, the owner name
 * in the message), or as a name string (`add`).
 */
function written(rrs: readonly TransferRr[], ends: ReadonlySet<number> = new Set(), via: 'addAt' | 'add' = 'addAt') {
  const writer = new ZoneAnswerWriter('zone.test', ZONES);
  rrs.forEach((r, i) => {
    const { names, nameOffset } = ownerOf(r);
    if (via === 'addAt') writer.addAt(names, nameOffset, r.type, r.ttl, r.message, r.rdataOffset);
    else writer.add(names.read(nameOffset), r.type, r.ttl, r.message, r.rdataOffset);
    if (ends.has(i)) writer.endOfMessage();
  });
  const answer = writer.result();
  return { json: `[${Buffer.concat(answer.chunks).toString()}]`, answer, size: writer.size };
}

/** What records() answers for the same RRs: the collector's record sets, serialised as the gateway does. */
function collected(rrs: readonly TransferRr[]): string {
  const collector = new ZoneRecordsCollector('zone.test', ZONES);
  for (const r of rrs) {
    const { names, nameOffset } = ownerOf(r);
    collector.add(names.read(nameOffset), r.type, r.ttl, r.message, r.rdataOffset);
  }
  return JSON.stringify(collector.recordSets().endpoints.map(toWireEndpoint));
}

const rrArbitrary = fc
  .tuple(
    // Plain names, names in upper case, names JSON escapes or UTF-8 decodes, the apex, a child zone, outside.
    fc.constantFrom(
      'zone.test',
      'ZONE.test',
      'a.zone.test',
      'b.zone.test',
      'B.Zone.Test',
      'x.b.zone.test',
      'q"t.zone.test',
      'b\\s.zone.test',
      'caf\u00e9.zone.test',
      'sp ace.zone.test',
      'child.zone.test',
      'n.child.zone.test',
      'else.test',
    ),
    fc.constantFrom('A', 'A', 'AAAA', 'TXT', 'NS', 'MX', 'unmanaged'),
    fc.constantFrom(0, 60, 300),
    fc.nat(2),
  )
  .map(([name, type, ttl, pick]): TransferRr => {
    if (type === 'unmanaged') return { ...rr(name, 'SOA', ttl, ''), type: 99 };
    const targets: Record<string, string[]> = {
      A: ['192.0.2.1', '192.0.2.10', '192.0.2.2'],
      AAAA: ['2001:db8::1', '2001:db8::2', '2001:db8::1'],
      TXT: ['"say \\"hi\\""', '"b\\\\c"', '"z"'],
      NS: ['ns1.elsewhere.test', 'ns2.elsewhere.test', 'ns1.elsewhere.test'],
      MX: ['10 mx.zone.test', '5 mx.zone.test', '10 mx.zone.test'],
    };
    return rr(name, type as 'A', ttl, targets[type]![pick]!);
  });

/** Grouped as BIND sends a zone: in name order, each name's RRs of one type together. */
function inTransferOrder(rrs: readonly TransferRr[]): TransferRr[] {
  return [...rrs].sort((a, b) => compareNames(a.name, b.name) || a.type - b.type);
}

describe('ZoneAnswerWriter', () => {
  it('writes what records() answers, byte for byte, for RRs in transfer order, with message ends anywhere', () => {
    fc.assert(
      fc.property(fc.array(rrArbitrary, { maxLength: 30 }), fc.array(fc.nat(30)), (rrs, ends) => {
        const ordered = inTransferOrder(rrs);
        expect(written(ordered, new Set(ends)).json).toBe(collected(ordered));
      }),
      { numRuns: 1500 },
    );
  });

  it('writes what records() answers for RRs in any order (names back after others, a set split by another type)', () => {
    fc.assert(
      fc.property(fc.array(rrArbitrary, { maxLength: 30 }), fc.array(fc.nat(30)), (rrs, ends) => {
        expect(written(rrs, new Set(ends)).json).toBe(collected(rrs));
      }),
      { numRuns: 1500 },
    );
  });

  it('writes the same whether it is given names as strings or left in the messages', () => {
    fc.assert(
      fc.property(fc.array(rrArbitrary, { maxLength: 30 }), fc.boolean(), (rrs, ordered) => {
        const given = ordered ? inTransferOrder(rrs) : rrs;
        expect(written(given, new Set(), 'add').json).toBe(written(given).json);
      }),
      { numRuns: 1000 },
    );
  });

  it('counts the record sets by type, leaving out the apex NS, unmanaged types and a child zone', () => {
    const { answer, size, json } = written([
      rr('zone.test', 'NS', 300, 'ns1.elsewhere.test'),
      rr('a.zone.test', 'A', 300, '192.0.2.2'),
      rr('a.zone.test', 'A', 60, '192.0.2.1'),
      rr('a.zone.test', 'TXT', 0, '"x"'),
      { ...rr('a.zone.test', 'SOA', 300, ''), type: 99 },
      rr('n.child.zone.test', 'A', 300, '192.0.2.3'),
    ]);
    expect(JSON.parse(json)).toEqual([
      { dnsName: 'a.zone.test', targets: ['192.0.2.1', '192.0.2.2'], recordType: 'A', recordTTL: 60 },
      { dnsName: 'a.zone.test', targets: ['"x"'], recordType: 'TXT' },
    ]);
    expect([answer.count, size]).toEqual([2, 2]);
    expect(Object.fromEntries(answer.countsByType)).toEqual({ A: 1, TXT: 1 });
  });

  it('merges the pieces of a set into its first place, with its lowest TTL', () => {
    const { answer, json } = written([
      rr('b.zone.test', 'A', 300, '192.0.2.2'),
      rr('b.zone.test', 'TXT', 300, '"t"'),
      rr('a.zone.test', 'A', 300, '192.0.2.9'),
      rr('b.zone.test', 'A', 0, '192.0.2.1'),
    ]);
    expect(JSON.parse(json)).toEqual([
      { dnsName: 'b.zone.test', targets: ['192.0.2.1', '192.0.2.2'], recordType: 'A' },
      { dnsName: 'b.zone.test', targets: ['"t"'], recordType: 'TXT', recordTTL: 300 },
      { dnsName: 'a.zone.test', targets: ['192.0.2.9'], recordType: 'A', recordTTL: 300 },
    ]);
    expect(Object.fromEntries(answer.countsByType)).toEqual({ A: 2, TXT: 1 });
  });

  it('keeps the chunks cut at the message ends where every set came whole: nothing to merge', () => {
    const names = ['a.zone.test', 'b.zone.test', 'c.b.zone.test', 'c.zone.test'];
    const { answer } = written(
      names.map((name) => rr(name, 'A', 300, '192.0.2.1')),
      new Set([0, 1, 2]),
    );
    expect(answer.chunks).toHaveLength(3); // a set is written once the RR after it is read
    // Out of order, the same sets are merged into one answer (one chunk).
    expect(
      written(names.map((name) => rr(name, 'A', 300, '192.0.2.1')).reverse(), new Set([0, 1, 2])).answer.chunks,
    ).toHaveLength(1);
  });

  it('refuses an A or AAAA record whose rdata is not an address, as the collector does', () => {
    for (const record of [rr('a.zone.test', 'A', 300, '192.0.2.1'), rr('a.zone.test', 'AAAA', 300, '2001:db8::1')]) {
      // Two bytes of rdata, the end of the message: an address read on would run past it.
      const short = Buffer.from(record.message.subarray(0, record.rdataOffset + 4));
      short.writeUInt16BE(2, record.rdataOffset);
      const broken = { ...record, message: short };
      expect(() => written([broken])).toThrow(MalformedMessageError);
      expect(() => collected([broken])).toThrow(MalformedMessageError);
    }
  });

  it('answers an empty zone with no chunks', () => {
    expect(written([rr('zone.test', 'NS', 300, 'ns1.elsewhere.test')]).answer).toEqual({
      chunks: [],
      count: 0,
      countsByType: new Map(),
    });
  });
});
