import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileLock, LockTimeoutError, processStartTime } from './file-lock.js';

describe('FileLock', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dnsgate-lock-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('serialises holders: the second waits until the first releases', async () => {
    const path = join(dir, 'z.lock');
    const events: string[] = [];
    const release1 = await new FileLock(path).acquire();
    const second = new FileLock(path).acquire().then((release) => {
      events.push('second acquired');
      return release;
    });
    await new Promise((r) => setTimeout(r, 50));
    events.push('first releasing');
    await release1();
    const release2 = await second;
    expect(events).toEqual(['first releasing', 'second acquired']);
    expect(JSON.parse(await readFile(path, 'utf8')).pid).toBe(process.pid);
    await release2();
  });

  it('times out while a live process holds it', async () => {
    const path = join(dir, 'z.lock');
    const release = await new FileLock(path).acquire();
    await expect(new FileLock(path, { timeoutMs: 100 }).acquire()).rejects.toThrow(LockTimeoutError);
    await release();
  });

  it('breaks the lock of a dead process whose pid a live, unrelated process has since been given', async () => {
    const path = join(dir, 'z.lock');
    const other = process.ppid;
    const owner = { pid: other, host: hostname(), token: 'x', at: Date.now() };
    await writeFile(path, JSON.stringify({ ...owner, started: `${processStartTime(other)}0` }));
    const release = await new FileLock(path, { timeoutMs: 2_000 }).acquire();
    expect(JSON.parse(await readFile(path, 'utf8')).pid).toBe(process.pid);
    await release();
    // The same pid, started when the lock says: the owner itself, still alive.
    await writeFile(path, JSON.stringify({ ...owner, started: processStartTime(other) }));
    await expect(new FileLock(path, { timeoutMs: 200 }).acquire()).rejects.toThrow(LockTimeoutError);
  });

  it('breaks the lock of a dead process', async () => {
    const path = join(dir, 'z.lock');
    // pid 2^22+1 is above Linux's pid_max default, so no process has it.
    await writeFile(path, JSON.stringify({ pid: 4194305, host: hostname(), token: 'x', at: Date.now() }));
    const release = await new FileLock(path, { timeoutMs: 2000 }).acquire();
    expect(JSON.parse(await readFile(path, 'utf8')).pid).toBe(process.pid);
    await release();
  });

  it('breaks a lock left by an earlier process with our own pid', async () => {
    const path = join(dir, 'z.lock');
    await writeFile(path, JSON.stringify({ pid: process.pid, host: hostname(), token: 'earlier', at: Date.now() }));
    const release = await new FileLock(path, { timeoutMs: 2000 }).acquire();
    await release();
  });
});
