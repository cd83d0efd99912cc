import * as dnsPacket from 'dns-packet';
import { TYPE } from './dns-constants.js';
import { MalformedMessageError } from './dns-message.reader.js';
import { MessageNames, encodeName } from './wire-name.codec.js';
import {
  AxfrReplyReader,
  EmptyTransferError,
  IxfrReplyReader,
  serialIsNewer,
  soaSerial,
  type TransferReplyReader,
  type TransferRr,
  type TransferSink,
} from './zone-transfer.reader.js';

/** A non-SOA RR; its rdata does not matter to the readers. */
function rr(name: string, type: number = TYPE.A): TransferRr {
  return { name, type, ttl: 300, message: Buffer.from([0, 4, 192, 0, 2, 1]), rdataOffset: 0 };
}

const SOA = (serial: number): [TransferRr, number] => [rr('zone.test', TYPE.SOA), serial];
const RR = (name: string): [TransferRr, undefined] => [rr(name), undefined];

/** Hands `record` to `reader` as the transport does, its owner name in a message of its own. */
function add(reader: TransferReplyReader, record: TransferRr, serial: number | undefined): boolean {
  const names = new MessageNames();
  names.startMessage(encodeName(record.name));
  return reader.add(names, 0, record.type, record.ttl, record.message, record.rdataOffset, serial);
}

/** Feeds `messages` (each a list of RRs with their SOA serial) and returns how many RRs were taken. */
function feed(reader: TransferReplyReader, messages: Array<Array<[TransferRr, number | undefined]>>): number {
  let taken = 0;
  for (const message of messages) {
    for (const [record, serial] of message) {
      taken++;
      if (add(reader, record, serial)) return taken;
    }
    if (reader.endOfMessage()) return taken;
  }
  throw new Error('the reply did not end');
}

describe('soaSerial', () => {
  it('reads the serial after the two (compressed) names of an SOA in a real message', () => {
    const message = dnsPacket.encode({
      type: 'response',
      id: 1,
      answers: [
        {
          type: 'SOA',
          name: 'zone.test',
          ttl: 60,
          data: {
            mname: 'ns1.zone.test',
            rname: 'hostmaster.zone.test',
            serial: 4_000_000_001,
            refresh: 1,
            retry: 2,
            expire: 3,
            minimum: 4,
          },
        },
      ],
    });
    // header 12, name "zone.test" 11, type/class/ttl 8: the rdata's length field.
    expect(soaSerial(message, 12 + 11 + 8)).toBe(4_000_000_001);
  });

  it('refuses an SOA too short for its fields', () => {
    const message = Buffer.from([0, 6, 0, 0, 0, 0, 0, 1]);
    expect(() => soaSerial(message, 0)).toThrow(MalformedMessageError);
  });
});

describe('serialIsNewer (RFC 1982)', () => {
  it.each([
    [2, 1, true],
    [1, 2, false],
    [5, 5, false],
    [0, 0xffffffff, true],
    [0xffffffff, 0, false],
    [0x7fffffff, 0, true],
    [0x80000000, 0, false],
  ])('%d newer than %d: %s', (a, b, expected) => {
    expect(serialIsNewer(a, b)).toBe(expected);
  });
});

/** A sink that keeps the names it was given. */
function names(): TransferSink & { names: string[] } {
  const sink = { names: [] as string[], add: (name: string) => void sink.names.push(name) };
  return sink;
}

describe('AxfrReplyReader', () => {
  it('hands the RRs between the two SOAs to the sink across messages, at the opening serial', () => {
    const sink = names();
    const reader = new AxfrReplyReader('the AXFR', sink);
    const taken = feed(reader, [
      [SOA(7), RR('a.zone.test')],
      [RR('b.zone.test'), SOA(7), RR('after.zone.test')],
    ]);
    expect(taken).toBe(4);
    expect(reader.serial).toBe(7);
    expect(sink.names).toEqual(['a.zone.test', 'b.zone.test']);
  });

  it('refuses a reply that does not open with an SOA, and tells an empty one', () => {
    expect(() => feed(new AxfrReplyReader('the AXFR', names()), [[RR('a.zone.test')]])).toThrow(MalformedMessageError);
    expect(() => feed(new AxfrReplyReader('the AXFR', names()), [[]])).toThrow(EmptyTransferError);
  });
});

describe('IxfrReplyReader (RFC 1995 4)', () => {
  it('reads a lone SOA in the first message as "you are current"', () => {
    const reader = new IxfrReplyReader('the IXFR');
    expect(feed(reader, [[SOA(9)]])).toBe(1);
    expect(reader.reply()).toEqual({ kind: 'current', serial: 9 });
  });

  it('tells the AXFR form (the new SOA, then a non-SOA RR) at its second RR, and reads no further', () => {
    const reader = new IxfrReplyReader('the IXFR');
    const taken = feed(reader, [
      [SOA(9), RR('a.zone.test')],
      [RR('b.zone.test'), SOA(9)],
    ]);
    expect(taken).toBe(2);
    expect(reader.reply()).toEqual({ kind: 'full', serial: 9 });
    expect(reader.abandoned).toBe(true);
  });

  it('reads the AXFR form of a zone that has only its SOA, to its end', () => {
    const reader = new IxfrReplyReader('the IXFR');
    feed(reader, [[SOA(9), SOA(9)]]);
    expect(reader.reply()).toEqual({ kind: 'full', serial: 9 });
    expect(reader.abandoned).toBe(false);
  });

  it('reads the difference sequences in order, across messages, deletions and additions apart', () => {
    const reader = new IxfrReplyReader('the IXFR');
    const taken = feed(reader, [
      [SOA(12), SOA(10), RR('del1.zone.test'), SOA(11), RR('add1.zone.test')],
      [RR('add2.zone.test'), SOA(11), SOA(12)],
      [RR('add3.zone.test'), SOA(12)],
    ]);
    expect(taken).toBe(10);
    const reply = reader.reply();
    if (reply.kind !== 'incremental') throw new Error(`expected the incremental form, got ${reply.kind}`);
    expect(reply.serial).toBe(12);
    expect(
      reply.sequences.map((s) => ({
        from: s.fromSerial,
        to: s.toSerial,
        deleted: s.deleted.map((r) => r.name),
        added: s.added.map((r) => r.name),
      })),
    ).toEqual([
      { from: 10, to: 11, deleted: ['del1.zone.test'], added: ['add1.zone.test', 'add2.zone.test'] },
      { from: 11, to: 12, deleted: [], added: ['add3.zone.test'] },
    ]);
  });

  it('refuses an answer that does not open with an SOA or stops before its closing SOA', () => {
    expect(() => feed(new IxfrReplyReader('the IXFR'), [[RR('a.zone.test')]])).toThrow(MalformedMessageError);
    expect(() => feed(new IxfrReplyReader('the IXFR'), [[]])).toThrow(EmptyTransferError);
    const unfinished = new IxfrReplyReader('the IXFR');
    for (const [record, serial] of [SOA(3), SOA(2)]) add(unfinished, record, serial);
    expect(() => unfinished.reply()).toThrow(/ended before its closing SOA/);
  });
});
