import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** How long creating the zone directory may take before start() gives up and says why. */
export const ENSURE_DIRECTORY_TIMEOUT_MS = 10_000;

/**
 * Creates `dir` and its missing parents one level at a time. Node's
 * `mkdir(…, { recursive: true })` spins for ever where a filesystem refuses
 * the new entry with ENOENT (under /proc it used all of a core and logged
 * nothing); here each level is tried once and a refusal names the path, its
 * error code and what it means.
 */
export async function ensureDirectory(dir: string, timeoutMs = ENSURE_DIRECTORY_TIMEOUT_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`creating the directory ${dir} did not finish in ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([createLevels(resolve(dir)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function createLevels(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let current = dir; ; current = dirname(current)) {
    const found = await stat(current).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw describe(error, current, 'cannot look at');
    });
    if (found) {
      if (!found.isDirectory()) throw new Error(`${current} exists and is not a directory`);
      break;
    }
    if (dirname(current) === current) throw new Error(`no part of ${dir} exists`);
    missing.push(current);
  }
  for (const path of missing.reverse()) {
    await mkdir(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw describe(error, path, 'cannot create');
    });
  }
}

const MEANINGS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the filesystem is read-only',
  ENOENT: 'the filesystem does not allow a directory there',
  ENOSPC: 'no space left on the device',
  ENOTDIR: 'a part of the path is not a directory',
};

function describe(error: NodeJS.ErrnoException, path: string, what: string): Error {
  const code = error.code ?? 'error';
  return new Error(`${what} ${path}: ${code} (${MEANINGS[code] ?? error.message})`, { cause: error });
}
