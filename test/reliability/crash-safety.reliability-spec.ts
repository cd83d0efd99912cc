import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertNamedCheckzone } from '../support/named-checkzone.js';
import { PartResults } from './support/results.js';

/**
 * Crash safety of the file plugin: writers applying large batches are
 * SIGKILLed at random points. After each kill the zone file must pass
 * named-checkzone and hold exactly the batch before or the batch after the
 * interrupted one, never less than the last acknowledged batch. Then two
 * writers on one directory must never interleave (lose each other's records).
 */
const KILLS = Number(process.env.DNSGATE_CRASH_KILLS ?? 204);
const WORKERS = 3;
const PER_BATCH = 1500;
const ZONE = 'example.org';
const WRITER = fileURLToPath(new URL('./support/file-writer.mjs', import.meta.url));

interface WriterRun {
  acked: number[];
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Starts a writer; kills it `killAfterMs` after it is ready (or lets it finish when undefined). */
function runWriter(
  dir: string,
  prefix: string,
  first: number,
  killAfterMs?: number,
  last?: number,
): Promise<WriterRun> {
  return new Promise((resolve) => {
    const args = [WRITER, dir, ZONE, prefix, String(first), String(PER_BATCH)];
    if (last !== undefined) args.push(String(last));
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const acked: number[] = [];
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      for (const match of stdout.matchAll(/ack (\d+)\n/g)) acked.push(Number(match[1]));
      stdout = stdout.slice(stdout.lastIndexOf('\n') + 1);
      if (killAfterMs !== undefined && chunk.toString().includes('ready')) {
        setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (exitCode, signal) => resolve({ acked, exitCode, signal, stderr }));
  });
}

/** The batches of `prefix` in the zone file, with how many records each has. */
async function batchesIn(dir: string, prefix: string): Promise<Map<number, number>> {
  const text = await readFile(join(dir, `${ZONE}.zone`), 'utf8');
  const batches = new Map<number, number>();
  for (const match of text.matchAll(new RegExp(`^${prefix}(\\d+)-\\d+[.\\s]`, 'gm'))) {
    const batch = Number(match[1]);
    batches.set(batch, (batches.get(batch) ?? 0) + 1);
  }
  return batches;
}

describe('crash safety of the file plugin', () => {
  const results = new PartResults('crash safety');
  const dirs: string[] = [];
  afterAll(async () => {
    results.flush();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it(`keeps every zone file whole and every acknowledged batch through ${KILLS} SIGKILLs mid-apply`, async () => {
    const problems: string[] = [];
    let kills = 0;
    let killedMidBatch = 0;
    let acknowledged = 0;
    const worker = async (w: number, count: number) => {
      const dir = await mkdtemp(join(tmpdir(), `dnsgate-crash-${w}-`));
      dirs.push(dir);
      let state = -1; // the batch the file holds
      // The kill comes at a random point of a window that adapts to how long a batch takes on
      // this machine, so kills land before, during and after the first and second batches.
      let window = 350;
      for (let k = 0; k < count; k++) {
        const run = await runWriter(dir, 'b', state + 1, Math.floor(Math.random() * window));
        window =
          run.acked.length === 0 ? Math.min(window * 1.15, 5_000) : run.acked.length > 1 ? window * 0.85 : window;
        if (run.signal !== 'SIGKILL') {
          problems.push(`worker ${w}: writer ended with ${run.exitCode ?? run.signal} before the kill: ${run.stderr}`);
          break;
        }
        kills++;
        acknowledged += run.acked.length;
        const lastAcked = run.acked.at(-1) ?? state;
        const check = await assertNamedCheckzone(ZONE, join(dir, `${ZONE}.zone`)).then(
          () => undefined,
          (error: Error) => error.message,
        );
        if (check) problems.push(`worker ${w} kill ${k}: ${check.slice(0, 300)}`);
        const batches = await batchesIn(dir, 'b');
        const held = [...batches.keys()];
        const complete =
          held.length === 0 ? lastAcked === -1 : held.length === 1 && batches.get(held[0]!) === PER_BATCH;
        const expected = [lastAcked, lastAcked + 1];
        if (!complete || (held.length === 1 && !expected.includes(held[0]!))) {
          problems.push(
            `worker ${w} kill ${k}: file holds ${JSON.stringify([...batches])}, expected batch ${expected.join(' or ')} whole`,
          );
          break;
        }
        if (held.length === 1 && held[0] === lastAcked + 1) killedMidBatch++;
        state = held[0] ?? -1;
      }
    };
    const share = Math.ceil(KILLS / WORKERS);
    await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w, share)));

    results.add('SIGKILLs during large applies (1,500 records a batch)', kills, kills >= 200);
    results.add('  batches acknowledged before a kill', acknowledged, 'info');
    results.add('  kills after the write landed, before its ack', killedMidBatch, 'info');
    results.add('torn or invalid zone files, lost acknowledged batches', problems.length, problems.length === 0);
    if (problems.length > 0) process.stdout.write(`crash safety problems:\n  ${problems.slice(0, 10).join('\n  ')}\n`);
    expect(problems).toEqual([]);
    expect(kills).toBeGreaterThanOrEqual(Math.min(KILLS, 200));
  });

  it('never interleaves two dnsgate writers on one directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dnsgate-two-writers-'));
    dirs.push(dir);
    const rounds = 30;
    const [one, two] = await Promise.all([
      runWriter(dir, 'p', 0, undefined, rounds - 1),
      runWriter(dir, 'q', 0, undefined, rounds - 1),
    ]);
    const check = await assertNamedCheckzone(ZONE, join(dir, `${ZONE}.zone`)).then(
      () => 'OK',
      (error: Error) => error.message,
    );
    const p = await batchesIn(dir, 'p');
    const q = await batchesIn(dir, 'q');
    const whole =
      one.exitCode === 0 &&
      two.exitCode === 0 &&
      p.size === 1 &&
      p.get(rounds - 1) === PER_BATCH &&
      q.size === 1 &&
      q.get(rounds - 1) === PER_BATCH;
    results.add(
      'two writers, one directory: batches each, both last batches whole',
      `${rounds} each, ${whole}`,
      whole && check === 'OK',
    );
    expect(check).toBe('OK');
    expect([one.stderr, two.stderr]).toEqual(['', '']);
    expect([...p]).toEqual([[rounds - 1, PER_BATCH]]);
    expect([...q]).toEqual([[rounds - 1, PER_BATCH]]);
  });
});
