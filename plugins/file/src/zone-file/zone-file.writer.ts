import { compareNames, relativeOwner } from './dns-names.js';
import { presentationFromTarget } from './rdata.js';
import { InvalidRecordError } from './zone-file.errors.js';
import type { ZoneFile, ZoneRecord } from './zone-record.js';

const HEADER = [
  '; Written by dnsgate (file plugin). Records edited by hand are kept on the',
  '; next write; comments and layout are not.',
];

function typeRank(record: ZoneRecord, origin: string): number {
  if (record.type === 'SOA') return 0;
  if (record.type === 'NS' && record.name === origin) return 1;
  return 2;
}

/** The order of a canonical file: SOA, apex NS, then by name (labels from the right), type, data. */
export function compareRecords(origin: string) {
  return (a: ZoneRecord, b: ZoneRecord): number =>
    typeRank(a, origin) - typeRank(b, origin) ||
    compareNames(a.name, b.name) ||
    (a.type < b.type ? -1 : a.type > b.type ? 1 : 0) ||
    (a.data < b.data ? -1 : a.data > b.data ? 1 : 0);
}

// Owners come from validated endpoints or from fields the tokenizer already
// split on blank space; this is the last guard before text reaches the disk.
// eslint-disable-next-line no-control-regex -- control characters are exactly what must be refused
const SAFE_OWNER = /^(?:[^\s;()"\\$\x00-\x1f\x7f]|\\(?:\d{3}|[^\d\s\x00-\x1f\x7f]))+$/;

/**
 * The records in the order `compareRecords` gives. A stable TimSort makes
 * the usual case, a file dnsgate wrote before plus a batch, one pass over
 * the sorted run and a merge of the new records.
 */
export function sortRecordsForWriting(records: readonly ZoneRecord[], origin: string): ZoneRecord[] {
  return [...records].sort(compareRecords(origin));
}

/** Lines are turned into bytes this many at a time, so they die young instead of all surviving to one join. */
const LINES_PER_CHUNK = 1024;

/** A buffer that grows by doubling, written a string at a time; its bytes are copied only if much is left unused. */
class ByteSink {
  private buffer: Buffer;
  private length = 0;

  constructor(sizeHint: number) {
    this.buffer = Buffer.allocUnsafe(Math.max(4096, sizeHint));
  }

  write(text: string): void {
    const most = text.length * 3;
    if (this.length + most > this.buffer.length) {
      const needed = this.length + Buffer.byteLength(text, 'utf8');
      if (needed > this.buffer.length) {
        const grown = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
        this.buffer.copy(grown, 0, 0, this.length);
        this.buffer = grown;
      }
    }
    this.length += this.buffer.write(text, this.length, 'utf8');
  }

  bytes(): Buffer {
    const used = this.buffer.subarray(0, this.length);
    return this.buffer.length - this.length > this.length / 8 ? Buffer.from(used) : used;
  }
}

/**
 * The canonical text of a zone, as the bytes to write: the same records
 * always give the same bytes. Every record carries its TTL, so the file reads
 * the same under any reader. `inWritingOrder`: the records already are in
 * `sortRecordsForWriting`'s order (a sort of a sorted zone still cost about
 * 40 ms at 100k records). The text is encoded a chunk of lines at a time
 * into one buffer (`sizeHint`: the size of the file it replaces, about
 * right): holding every line of a 100k-record zone until one join promoted
 * them all to the old generation, and its collections were most of a
 * write's time.
 */
export function zoneFileBytes(
  zone: ZoneFile,
  defaultTtl: number,
  options: { inWritingOrder?: boolean; sizeHint?: number } = {},
): Buffer {
  const sink = new ByteSink(Math.ceil((options.sizeHint ?? 0) * 1.05));
  let lines = [...HEADER, `$ORIGIN ${zone.origin}.`, `$TTL ${defaultTtl}`];
  const flush = (): void => {
    lines.push('');
    sink.write(lines.join('\n'));
    lines = [];
  };
  let currentOrigin = zone.origin;
  // Consecutive records share their owner: its text and check are done once per name.
  let lastName: string | undefined;
  let lastOwner = '';
  const records = options.inWritingOrder ? zone.records : sortRecordsForWriting(zone.records, zone.origin);
  for (const record of records) {
    // Verbatim rdata may hold names relative to the origin it was read under.
    const wanted = record.verbatim ? record.origin : zone.origin;
    if (wanted !== currentOrigin) {
      lines.push(`$ORIGIN ${wanted === '.' ? '' : wanted}.`);
      currentOrigin = wanted;
      lastName = undefined;
    }
    if (record.name !== lastName) {
      lastOwner = relativeOwner(record.name, currentOrigin);
      if (!SAFE_OWNER.test(lastOwner))
        throw new InvalidRecordError(`refusing to write owner name ${JSON.stringify(record.name)}`);
      lastName = record.name;
    }
    const rdata = record.verbatim ? record.data : presentationFromTarget(record.type, record.data);
    if (/[\n\r]/.test(rdata))
      throw new InvalidRecordError(`refusing to write a line break in ${record.type} ${record.name}`);
    lines.push(`${lastOwner}\t${record.ttl}\tIN\t${record.type}\t${rdata}`);
    if (lines.length >= LINES_PER_CHUNK) flush();
  }
  flush();
  return sink.bytes();
}

/** `zoneFileBytes` as text. */
export function writeZoneFile(zone: ZoneFile, defaultTtl: number): string {
  return zoneFileBytes(zone, defaultTtl).toString('utf8');
}
