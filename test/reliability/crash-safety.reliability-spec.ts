import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WEBHOOK_MEDIA_TYPE } from '@dnsgate/plugin-sdk';
import { spawnDnsgate } from '../support/dnsgate-process.js';
import { assertNamedCheckzone } from '../support/named-checkzone.js';
import { HttpClient } from './support/http-client.js';
import { PartResults } from './support/results.js';

/**
 * Crash safety of the file plugin, on the real gateway (`node
 * apps/gateway/dist/main.js`, as `npm start` and the image run it): large
 * batches are applied over HTTP as ExternalDNS sends them, and the process
 * is SIGKILLed at random points. After each kill the zone file must pass
 * named-checkzone and hold exactly the batch before or the batch after the
 * interrupted one, never less than the last acknowledged (204) batch; the
 * next gateway on the directory must start and apply. Then two gateways on
 * one directory must never interleave (lose each other's records).
 */
const KILLS = Number(process.env.DNSGATE_CRASH_KILLS ?? 204);
const WORKERS = 3;
const PER_BATCH = 1500;
const ZONE = 'example.org';
const headers = { accept: WEBHOOK_MEDIA_TYPE, 'content-type': WEBHOOK_MEDIA_TYPE };

interface GatewayRun {
  /** The batches answered 204, in order. */
  acked: number[];
  /** Spawn to /readyz answering 200. */
  bootMs: number;
  /** Whether the kill came while a batch was in flight (sent, not yet answered). */
  killedInFlight: boolean;
  /** An answer other than 204 before the kill, or a gateway that did not come up. */
  problem?: string;
}

/** Batch i of `prefix`: creates <prefix><i>-0 … -1499 and deletes batch i-1's records, as one ExternalDNS apply. */
function batchBody(prefix: string, i: number): string {
  const batch = (n: number) =>
    n < 0
      ? []
      : Array.from({ length: PER_BATCH }, (_, k) => ({
          dnsName: `${prefix}${n}-${k}.${ZONE}`,
          targets: [`10.${(n >> 8) & 255}.${n & 255}.${k % 250}`],
          recordType: 'A',
          recordTTL: 60,
        }));
  return JSON.stringify({ create: batch(i), updateOld: [], updateNew: [], delete: batch(i - 1) });
}

/**
 * Starts a gateway on `dir` and applies batches from `first` on; SIGKILLs it
 * `killAfterMs` after it is ready, or stops it (SIGTERM) after batch `last`.
 */
async function runGateway(
  dir: string,
  prefix: string,
  first: number,
  end: { killAfterMs: number } | { last: number },
): Promise<GatewayRun> {
  const started = performance.now();
  const dnsgate = await spawnDnsgate({
    env: { DNSGATE_PLUGIN: 'file', DNSGATE_FILE_DIR: dir, DNSGATE_FILE_ZONES: ZONE, DNSGATE_LOG_LEVEL: 'warn' },
    // Three start at once, beside whatever else the machine runs: a start is about 1.6 s of CPU.
    readyWithinMs: 90_000,
  });
  const run: GatewayRun = { acked: [], bootMs: performance.now() - started, killedInFlight: false };
  const exited = new Promise<void>((resolve) => dnsgate.child.once('exit', () => resolve()));
  const client = new HttpClient(dnsgate.webhookUrl);
  let inFlight = false;
  let killed = false;
  const timer =
    'killAfterMs' in end
      ? setTimeout(() => {
          killed = true;
          run.killedInFlight = inFlight;
          dnsgate.child.kill('SIGKILL');
        }, end.killAfterMs)
      : undefined;
  for (let i = first; !('last' in end) || i <= end.last; i++) {
    inFlight = true;
    const answer = await client.call({ method: 'POST', path: '/records', headers, body: batchBody(prefix, i) });
    inFlight = false;
    if (answer.status === 204) {
      run.acked.push(i);
      continue;
    }
    if (!killed) run.problem = `batch ${i}: ${answer.status || answer.error} ${answer.body.toString().slice(0, 300)}`;
    break;
  }
  client.close();
  if (!killed) {
    clearTimeout(timer);
    if (run.problem) dnsgate.child.kill('SIGKILL');
    else await dnsgate.stop();
  }
  await exited;
  if (run.problem) run.problem += `\n${dnsgate.output().slice(-2000)}`;
  return run;
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

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

describe('crash safety of the file plugin', () => {
  const results = new PartResults('crash safety');
  const dirs: string[] = [];
  afterAll(async () => {
    results.flush();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it(`keeps every zone file whole and every acknowledged batch through ${KILLS} SIGKILLs of dnsgate mid-apply`, async () => {
    const problems: string[] = [];
    const boots: number[] = [];
    let kills = 0;
    let killedInFlight = 0;
    let killedAfterLanding = 0;
    let acknowledged = 0;
    let leftovers = 0;
    const worker = async (w: number, count: number) => {
      const dir = await mkdtemp(join(tmpdir(), `dnsgate-crash-${w}-`));
      dirs.push(dir);
      let state = -1; // the batch the file holds
      // The kill comes at a random point of a window that adapts to how long a batch takes on
      // this machine, so kills land before, during and after the first and second batches.
      let window = 400;
      for (let k = 0; k < count; k++) {
        const run = await runGateway(dir, 'b', state + 1, { killAfterMs: Math.floor(Math.random() * window) });
        boots.push(run.bootMs);
        if (run.problem) {
          problems.push(`worker ${w} run ${k}: ${run.problem}`);
          break;
        }
        window =
          run.acked.length === 0 ? Math.min(window * 1.15, 5_000) : run.acked.length > 1 ? window * 0.85 : window;
        kills++;
        if (run.killedInFlight) killedInFlight++;
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
        if (held.length === 1 && held[0] === lastAcked + 1) killedAfterLanding++;
        state = held[0] ?? -1;
      }
      // A killed writer leaves its lock and temp file behind; the next one must cope (checked above by
      // applying), and these are what is left in the end.
      leftovers += (await readdir(dir)).filter((name) => name.startsWith('.')).length;
    };
    const share = Math.ceil(KILLS / WORKERS);
    await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w, share)));

    boots.sort((a, b) => a - b);
    results.add('SIGKILLs of dnsgate during large applies (1,500 records a batch, over HTTP)', kills, kills >= 200);
    results.add('  batches acknowledged (204) before a kill', acknowledged, 'info');
    results.add('  kills with a batch in flight', killedInFlight, 'info');
    results.add('  kills after the write landed, before its 204', killedAfterLanding, 'info');
    results.add(
      '  dnsgate start to ready, median / slowest (3 at once)',
      `${seconds(boots[boots.length >> 1] ?? 0)} / ${seconds(boots.at(-1) ?? 0)}`,
      'info',
    );
    results.add('  lock and temp files left by the kills', leftovers, 'info');
    results.add('torn or invalid zone files, lost acknowledged batches', problems.length, problems.length === 0);
    if (problems.length > 0) process.stdout.write(`crash safety problems:\n  ${problems.slice(0, 10).join('\n  ')}\n`);
    expect(problems).toEqual([]);
    expect(kills).toBeGreaterThanOrEqual(Math.min(KILLS, 200));
  });

  it('never interleaves two dnsgate processes on one directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dnsgate-two-writers-'));
    dirs.push(dir);
    const rounds = 30;
    const [one, two] = await Promise.all([
      runGateway(dir, 'p', 0, { last: rounds - 1 }),
      runGateway(dir, 'q', 0, { last: rounds - 1 }),
    ]);
    const check = await assertNamedCheckzone(ZONE, join(dir, `${ZONE}.zone`)).then(
      () => 'OK',
      (error: Error) => error.message,
    );
    const p = await batchesIn(dir, 'p');
    const q = await batchesIn(dir, 'q');
    const whole =
      one.acked.length === rounds &&
      two.acked.length === rounds &&
      p.size === 1 &&
      p.get(rounds - 1) === PER_BATCH &&
      q.size === 1 &&
      q.get(rounds - 1) === PER_BATCH;
    results.add(
      'two dnsgate processes, one directory: batches each, both last batches whole',
      `${rounds} each, ${whole}`,
      whole && check === 'OK',
    );
    expect([one.problem, two.problem]).toEqual([undefined, undefined]);
    expect(check).toBe('OK');
    expect([...p]).toEqual([[rounds - 1, PER_BATCH]]);
    expect([...q]).toEqual([[rounds - 1, PER_BATCH]]);
  });
});
