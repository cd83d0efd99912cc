import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';

/** Tells this process's own locks from those of an earlier process that had the same pid (pid 1 in containers). */
const PROCESS_TOKEN = randomUUID();

/**
 * When process `pid` started (clock ticks since boot, field 22 of
 * /proc/<pid>/stat); undefined where there is no /proc. A process killed
 * while holding a lock leaves its pid in it, and on a busy host that pid
 * soon belongs to another, unrelated process: without this, the lock would
 * look held for as long as that process lives, and a restarted gateway
 * would never start (reproduced with a lock naming a live, unrelated pid; the
 * crash-safety suite SIGKILLs hundreds of gateways where pid_max is 32768).
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

const PROCESS_STARTED = processStartTime(process.pid);

export class LockTimeoutError extends Error {
  override readonly name = 'LockTimeoutError';
}

export interface LockOptions {
  /** Give up after this long; the caller answers with a soft error. */
  timeoutMs?: number;
  /** A lock from another host (shared file system) is stale after this long. */
  staleMs?: number;
}

interface LockOwner {
  pid: number;
  host: string;
  token: string;
  at: number;
  /** processStartTime of the owner (absent in locks written before it was recorded). */
  started?: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * An exclusive lock between processes: a file created with O_EXCL holding
 * the owner's pid, host and a per-process token. A lock whose owner is gone
 * (dead pid on this host, an earlier process with our pid, or older than
 * `staleMs` from another host) is broken, under a second `.break` lock so
 * that two waiters never both break it and delete each other's fresh lock.
 */
export class FileLock {
  private readonly breakPath: string;

  constructor(
    readonly path: string,
    private readonly options: LockOptions = {},
  ) {
    this.breakPath = `${path}.break`;
  }

  /** Waits for the lock and returns the function that releases it. */
  async acquire(): Promise<() => Promise<void>> {
    const deadline = Date.now() + (this.options.timeoutMs ?? 10_000);
    const me: LockOwner = {
      pid: process.pid,
      host: hostname(),
      token: PROCESS_TOKEN,
      at: Date.now(),
      ...(PROCESS_STARTED ? { started: PROCESS_STARTED } : {}),
    };
    let delay = 2;
    for (;;) {
      if (await this.tryCreate(this.path, me)) {
        return async () => {
          await unlink(this.path).catch(() => undefined);
        };
      }
      await this.breakIfStale();
      if (Date.now() > deadline) {
        const owner = await this.readOwner();
        throw new LockTimeoutError(
          `${this.path} is held by pid ${owner?.pid ?? '?'} on ${owner?.host ?? '?'}; gave up after ${this.options.timeoutMs ?? 10_000} ms`,
        );
      }
      await sleep(delay + Math.random() * delay);
      delay = Math.min(delay * 2, 50);
      me.at = Date.now();
    }
  }

  private async tryCreate(path: string, owner: LockOwner): Promise<boolean> {
    try {
      const handle = await open(path, 'wx', 0o644);
      try {
        await handle.writeFile(`${JSON.stringify(owner)}\n`);
      } finally {
        await handle.close();
      }
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
  }

  private async readOwner(path = this.path): Promise<LockOwner | undefined> {
    try {
      return JSON.parse(await readFile(path, 'utf8')) as LockOwner;
    } catch {
      return undefined;
    }
  }

  private isStale(owner: LockOwner | undefined, mtimeMs: number): boolean {
    const staleMs = this.options.staleMs ?? 60_000;
    // Unreadable: a writer died between create and write, or is writing now; only age can tell.
    if (!owner) return Date.now() - mtimeMs > 2_000;
    if (owner.host !== hostname()) return Date.now() - owner.at > staleMs;
    if (owner.pid === process.pid) return owner.token !== PROCESS_TOKEN;
    if (!isAlive(owner.pid)) return true;
    // Alive, but maybe another process that got the dead owner's pid.
    const started = owner.started === undefined ? undefined : processStartTime(owner.pid);
    return started !== undefined && started !== owner.started;
  }

  private async breakIfStale(): Promise<void> {
    const first = await this.snapshot();
    if (!first || !this.isStale(first.owner, first.mtimeMs)) return;
    const breaker: LockOwner = { pid: process.pid, host: hostname(), token: PROCESS_TOKEN, at: Date.now() };
    if (!(await this.tryCreate(this.breakPath, breaker))) {
      // A breaker that died mid-break would block everyone; its window is tiny, so age decides.
      const age = await stat(this.breakPath).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > 5_000) await unlink(this.breakPath).catch(() => undefined);
      return;
    }
    try {
      // Read again under the break lock: the lock may have been released and retaken meanwhile.
      const again = await this.snapshot();
      if (again && this.isStale(again.owner, again.mtimeMs)) await unlink(this.path).catch(() => undefined);
    } finally {
      await unlink(this.breakPath).catch(() => undefined);
    }
  }

  private async snapshot(): Promise<{ owner: LockOwner | undefined; mtimeMs: number } | undefined> {
    const info = await stat(this.path).catch(() => undefined);
    if (!info) return undefined;
    return { owner: await this.readOwner(), mtimeMs: info.mtimeMs };
  }
}
