import { randomBytes } from 'node:crypto';
import { open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { BigIntStats } from 'node:fs';

/** Temp files are dotfiles, so no zone-file pattern (`*.zone`, `db.*`) ever matches one. */
const TEMP = /^\.(.+)\.tmp-(\d+)-[0-9a-f]+$/;

export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
}

export interface AtomicWriteOptions {
  mode?: number;
  /** Test seam: runs after the temp file is durable and before the rename. */
  beforeRename?: (tempPath: string) => Promise<void>;
}

/**
 * Replaces `path` with `data` so that a reader, or a crash at any point,
 * sees either the whole old file or the whole new one: write a temp file in
 * the same directory (same file system, so rename is atomic), fsync it,
 * rename it over the target, then fsync the directory so the rename itself
 * survives a power loss. Returns the written file's stats, taken before
 * the rename.
 */
export async function atomicWriteFile(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<BigIntStats> {
  const temp = tempPathFor(path);
  const handle = await open(temp, 'wx', options.mode ?? 0o644);
  let written: BigIntStats;
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
      // What the file will be once renamed in place: a rename keeps its device, inode, size and mtime.
      written = await handle.stat({ bigint: true });
    } finally {
      await handle.close();
    }
    await options.beforeRename?.(temp);
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dirname(path));
  return written;
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (error) {
    // Some file systems cannot fsync a directory; the rename is still atomic there.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM') throw error;
  } finally {
    await handle.close();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temp files a crashed writer left behind: those of a process that
 * no longer runs, or older than `maxAgeMs` (a pid may have been reused).
 * Returns the names removed.
 */
export async function removeStaleTempFiles(dir: string, maxAgeMs = 10 * 60_000): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(dir)) {
    const match = TEMP.exec(name);
    if (!match) continue;
    const pid = Number(match[2]);
    const path = join(dir, name);
    const age = await stat(path).then(
      (s) => Date.now() - s.mtimeMs,
      () => undefined,
    );
    if (age === undefined) continue;
    if ((pid !== process.pid && !isAlive(pid)) || age > maxAgeMs) {
      await unlink(path).catch(() => undefined);
      removed.push(name);
    }
  }
  return removed;
}
