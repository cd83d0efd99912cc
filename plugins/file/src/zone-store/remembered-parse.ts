import type { FileHandle } from 'node:fs/promises';
import type { Endpoint } from '@dnsgate/plugin-sdk';
import { sortRecordsForWriting } from '../zone-file/zone-file.writer.js';
import type { ZoneFile, ZoneRecord } from '../zone-file/zone-record.js';
import { endpointsOf } from '../zone-model/zone-endpoints.js';

/**
 * A zone file's bytes and the records this process parsed from them or
 * wrote as them. Shared by every reader and writer that reuses it: its
 * record lists are frozen, writers copy them.
 */
export class RememberedParse {
  private sorted: readonly ZoneRecord[] | undefined;
  private listed: { managedZones: string; endpoints: readonly Endpoint[] } | undefined;

  /**
   * `inWritingOrder`: the records are already in the order `sortRecordsForWriting` gives (the plugin wrote them).
   * `earlier`: the endpoints listed for an earlier content of the same file, whose unchanged ones the first
   * listing of this one takes over (`UnchangedEndpoints`).
   */
  constructor(
    readonly bytes: Buffer,
    readonly file: ZoneFile,
    inWritingOrder = false,
    private earlier: readonly Endpoint[] | undefined = undefined,
  ) {
    Object.freeze(file.records);
    if (inWritingOrder) this.sorted = file.records;
  }

  /** The endpoints listed so far (for the next content's `earlier`), without listing them. */
  get listedEndpoints(): readonly Endpoint[] | undefined {
    return this.listed?.endpoints ?? this.earlier;
  }

  /**
   * `endpointsOf` these records, listed once per content and set of managed
   * zones. Every reader, and the records cache, share the array and its
   * endpoints: nobody changes them (the gateway copies what it sends). An
   * unchanged 100k-record zone is then read for the cost of its bytes,
   * without the 100k endpoints each read used to allocate (about 12 MiB
   * that the collector had to find again).
   */
  endpoints(managedZones: readonly string[]): readonly Endpoint[] {
    const key = managedZones.join(' ');
    if (this.listed?.managedZones !== key) {
      const endpoints = Object.freeze(endpointsOf(this.file, managedZones, this.listed?.endpoints ?? this.earlier));
      this.listed = { managedZones: key, endpoints };
      this.earlier = undefined;
    }
    return this.listed.endpoints;
  }

  /** The records in the writer's order (owner names from the right), sorted at most once per content. */
  inWritingOrder(): readonly ZoneRecord[] {
    return (this.sorted ??= Object.freeze(sortRecordsForWriting(this.file.records, this.file.origin)));
  }
}

/** How much of a file is compared at a time: a read of an unchanged zone allocates this, not the file's size. */
const COMPARE_CHUNK = 256 * 1024;

/**
 * The remembered parse, when the open file holds exactly the bytes this
 * process last read or wrote for it; undefined when anything differs.
 * Comparing bytes, not the file's identity, keeps this exact whatever the
 * clock and the file system's timestamps: an edit in place within the same
 * clock tick, or one that puts the mtime back, still differs. The file is
 * compared a chunk at a time: reading and comparing a 100k-record file costs
 * about 5 ms and a 256 KiB buffer; parsing it again cost 180-240 ms (this
 * project's loaded 2-core machine, Node 20), and was done twice per apply
 * (the conflict check, then the write under the lock).
 */
export async function reusableParse(
  remembered: RememberedParse | undefined,
  file: FileHandle,
): Promise<RememberedParse | undefined> {
  if (remembered === undefined) return undefined;
  const expected = remembered.bytes;
  if ((await file.stat()).size !== expected.length) return undefined;
  const chunk = Buffer.allocUnsafe(Math.min(COMPARE_CHUNK, expected.length + 1));
  let position = 0;
  for (;;) {
    const { bytesRead } = await file.read(chunk, 0, chunk.length, position);
    if (bytesRead === 0) return position === expected.length ? remembered : undefined;
    if (position + bytesRead > expected.length) return undefined;
    if (!chunk.subarray(0, bytesRead).equals(expected.subarray(position, position + bytesRead))) return undefined;
    position += bytesRead;
  }
}
