import type { BigIntStats } from 'node:fs';

/**
 * How long after its last modification a file's timestamp cannot yet tell a
 * further change of the same size apart: Linux stamps files from a coarse
 * clock (one tick, at most 10 ms), and file systems without sub-second
 * timestamps (FAT, ext3's small inodes, some network ones) keep whole or
 * even seconds. Such a file's version is "racy" (git's word for the same
 * problem): it is made unique, so the cache reads the zone again until the
 * file has been still for longer than this.
 */
const RACY_WINDOW_NS = 100_000_000n;
const RACY_WINDOW_WHOLE_SECONDS_NS = 2_000_000_000n;

let racyReads = 0;

/**
 * The version of a zone file: its identity (device, inode, size, mtime in
 * ns). A write through the plugin or any tool that renames a new file over
 * it (editors, `named-compilezone -o`) gives a new inode; an edit in place
 * moves the mtime and usually the size. `deeper` are the managed zones
 * below this one: a new sub-zone file takes names away from this zone
 * without touching its file, so they are part of the version.
 *
 * `nowNs` is the wall clock when `stats` was taken (mtimes are wall-clock
 * times).
 */
export function zoneFileVersion(
  stats: BigIntStats,
  deeper: readonly string[],
  nowNs: bigint,
  writtenHere?: string,
): string {
  const identity = fileIdentity(stats);
  const version = deeper.length === 0 ? identity : `${identity}|${deeper.join(',')}`;
  return identity !== writtenHere && isRacy(stats.mtimeNs, nowNs) ? `${version}|racy${++racyReads}` : version;
}

/**
 * Device, inode, size and mtime in ns. A file this process wrote (`writtenHere`,
 * the identity of its last write) is not racy: it was renamed in place whole
 * after its last byte was written, so only another writer editing it in place
 * within that clock tick, to the same size, could go unseen, and a batch's
 * write would still see it (`reusableParse` compares bytes).
 */
export function fileIdentity(stats: BigIntStats): string {
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}`;
}

/** True while a change of the same size could still leave the mtime where it is. */
export function isRacy(mtimeNs: bigint, nowNs: bigint): boolean {
  const window = mtimeNs % 1_000_000_000n === 0n ? RACY_WINDOW_WHOLE_SECONDS_NS : RACY_WINDOW_NS;
  return nowNs - mtimeNs < window;
}

/** The wall clock in ns, as file times are kept. */
export function wallClockNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}
