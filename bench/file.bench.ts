/**
 * File plugin benchmark: dnsgate serving one zone file of N A records
 * (N = 1k, 10k, 100k, 1M), against BIND's own tools on the same file in the
 * same run. dnsgate runs as in production, the built gateway in a node
 * process of its own (one per size), with the records cache off
 * (DNSGATE_RECORDS_CACHE=off: `npm run bench:cache` measures it), talked to
 * over loopback HTTP; reads are
 * timed to the last byte of the answer. Rounds alternate which side goes
 * first; each ratio is the median of the per-round ratios.
 *
 *  1. GET /records vs `named-checkzone` of the file (BIND loading and
 *     checking it), twice: of an unchanged file (the plugin reads its bytes
 *     and, as they are the same, reuses their parse and endpoints), and of a
 *     file changed before
 *     each round (its SOA serial rewritten, untimed), which the plugin reads
 *     and parses whole, as it does every file it has not seen. Goal at 100k
 *     ≤ 1.0× for both. The plugin's share of each (its `records` operation,
 *     the gateway's metric) is printed and noted: the rest is the gateway's
 *     (JSON answer, HTTP), which the records cache memoises per zone.
 *  2. POST /records with 1,000 creates vs `named-compilezone` of the file
 *     (BIND loading it and writing it whole). dnsgate reads, checks, applies,
 *     bumps the serial and rewrites the file atomically under its lock; the
 *     conflict check and the write under the lock reuse the parse of the
 *     bytes this process last wrote (the file is unchanged since). Goal at
 *     100k ≤ 1.0×. The creates are deleted again (untimed) so every round
 *     sees the same zone. The plugin's write (lock to rename, its own
 *     metric) is printed beside each.
 *  3. POST /records with 1 create vs the same `named-compilezone`. Goal at
 *     100k ≤ 0.5×. Then 10,000 creates, no goal: 1, 1,000 and 10,000 show
 *     how the cost grows with the batch.
 *  4. Peak RSS (VmHWM) of the dnsgate process after the reads, and after all
 *     of the above (the goal, at 100k < 250 MB, is judged on that one), and
 *     of `named-checkzone` on the same file (GNU time). The peak after each
 *     measure is printed, to show which one raised it.
 *
 * Linearity shows in the per-record cost printed for each size (µs/record)
 * and in the report's plots. Run: `npm run bench:file` (builds first).
 * BENCH_SIZES (default 1000,10000,100000,1000000), BENCH_ROUNDS (default 7;
 * 3 with BENCH_QUICK=1; 1M gets at most 3, 1 when quick), BENCH_RESULTS (see
 * bench-support.ts).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { spawnDnsgate, type DnsgateProcess } from '../test/support/dnsgate-process.js';
import { runCommand } from '../test/support/run-command.js';
import { median, out, peakRssMb, QUICK, recordResult, rssGoal, timed } from './bench-support.js';

const SIZES = (process.env.BENCH_SIZES ?? '1000,10000,100000,1000000').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 3 : 7));
const ZONE = 'bench.test';
const BATCH = 1000;
const BIG_BATCH = 10_000;
const MEDIA = 'application/external.dns.webhook+json;version=1';
const LONG = { headersTimeout: 1_800_000, bodyTimeout: 1_800_000 };
const GOAL_SIZE = 100_000;
const READ_GOAL = 1.0;
const BATCH_GOAL = 1.0;
const ONE_GOAL = 0.5;
const RSS_GOAL = rssGoal(250);

/** A zone file as a user would keep one: $ORIGIN, $TTL, relative owners, one A record per host. */
function zoneText(size: number): string {
  const lines = [
    `$ORIGIN ${ZONE}.`,
    '$TTL 300',
    `@ 3600 IN SOA ns1.${ZONE}. hostmaster.${ZONE}. 1 3600 600 1209600 300`,
    `@ 3600 IN NS ns1.${ZONE}.`,
    'ns1 300 IN A 10.255.255.254',
  ];
  for (let i = 0; i < size; i++) lines.push(`host${i}\t300\tIN\tA\t10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
  return `${lines.join('\n')}\n`;
}

function creates(round: number, count: number): Array<Record<string, unknown>> {
  return Array.from({ length: count }, (_, i) => ({
    dnsName: `new${round}-${i}.${ZONE}`,
    targets: [`10.200.${(i >> 8) & 255}.${i & 255}`],
    recordType: 'A',
    recordTTL: 300,
  }));
}

async function post(dnsgate: DnsgateProcess, changes: Record<string, unknown>): Promise<void> {
  const response = await request(`${dnsgate.webhookUrl}/records`, {
    method: 'POST',
    headers: { accept: MEDIA, 'content-type': MEDIA },
    body: JSON.stringify(changes),
    ...LONG,
  });
  const text = await response.body.text();
  if (response.statusCode !== 204) throw new Error(`POST /records: ${response.statusCode} ${text.slice(0, 300)}`);
}

async function readRecords(dnsgate: DnsgateProcess): Promise<number> {
  const response = await request(`${dnsgate.webhookUrl}/records`, { headers: { accept: MEDIA }, ...LONG });
  const text = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`GET /records: ${response.statusCode} ${text.slice(0, 300)}`);
  return text.length;
}

/** The sum of a histogram on the metrics page, for the series whose labels include `label`. */
async function metricSum(dnsgate: DnsgateProcess, metric: string, label = ''): Promise<number> {
  const text = await (await fetch(`${dnsgate.healthUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${metric}_sum{`) && l.includes(label));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

/** Seconds the plugin has spent in `operation` so far (the gateway's own metric). */
function pluginSeconds(dnsgate: DnsgateProcess, operation: string): Promise<number> {
  return metricSum(dnsgate, 'dnsgate_plugin_operation_duration_seconds', `operation="${operation}"`);
}

/** Seconds the file plugin has spent writing zone files so far, from asking for the lock to the rename. */
function fileWriteSeconds(dnsgate: DnsgateProcess): Promise<number> {
  return metricSum(dnsgate, 'dnsgate_file_write_duration_seconds');
}

/**
 * The same zone with another SOA serial, written in place of the file: new
 * bytes of the same records, which the plugin must read and parse whole.
 */
async function changeSerial(file: string, round: number): Promise<void> {
  const text = await readFile(file, 'utf8');
  const changed = text.replace(/(IN\s+SOA\s+\S+\s+\S+\s+)\d+/, `$1${1000 + round}`);
  if (changed === text) throw new Error(`no SOA serial found in ${file}`);
  await writeFile(file, changed);
}

async function bind(tool: 'named-checkzone' | 'named-compilezone', file: string, dir: string): Promise<void> {
  const args = tool === 'named-checkzone' ? ['-q', ZONE, file] : ['-q', '-o', join(dir, 'compiled.out'), ZONE, file];
  const result = await runCommand(tool, args, { timeoutMs: 600_000 });
  if (result.code !== 0) throw new Error(`${tool} failed (exit ${result.code}): ${result.stdout}${result.stderr}`);
}

/** Peak RSS of named-checkzone loading the file, from GNU time (its own run, not timed). */
async function bindPeakRssMb(file: string): Promise<number> {
  const result = await runCommand('/usr/bin/time', ['-f', '%M', 'named-checkzone', '-q', ZONE, file], {
    timeoutMs: 600_000,
  });
  return Number(/(\d+)\s*$/.exec(result.stderr)?.[1] ?? NaN) / 1024;
}

interface Pair {
  dnsgate: number[];
  baseline: number[];
}

/** Runs both sides once per round, alternating which goes first. */
async function paired(rounds: number, dnsgateSide: (round: number) => Promise<number>, baseline: () => Promise<void>) {
  const pair: Pair = { dnsgate: [], baseline: [] };
  for (let round = 0; round < rounds; round++) {
    const runBaseline = async () => pair.baseline.push((await timed(baseline))[1]);
    const runDnsgate = async () => pair.dnsgate.push(await dnsgateSide(round));
    if (round % 2 === 0) {
      await runBaseline();
      await runDnsgate();
    } else {
      await runDnsgate();
      await runBaseline();
    }
  }
  return pair;
}

function ratioOf(pair: Pair): number {
  return median(pair.dnsgate.map((ms, i) => ms / pair.baseline[i]!));
}

function report(
  measure: string,
  size: number,
  pair: Pair,
  baselineName: string,
  goal: number | undefined,
  why: string,
): void {
  const ratio = ratioOf(pair);
  const dnsgate = median(pair.dnsgate);
  const baseline = median(pair.baseline);
  const judged = goal !== undefined && size === GOAL_SIZE;
  const met = judged ? ratio <= goal : undefined;
  out(
    `  ${measure.padEnd(22)} dnsgate ${dnsgate.toFixed(0).padStart(7)} ms  ${baselineName} ${baseline
      .toFixed(0)
      .padStart(7)} ms  ratio ${ratio.toFixed(2)}×  (${((dnsgate * 1000) / size).toFixed(2)} µs/record)` +
      (judged ? `  goal ≤ ${goal.toFixed(1)}× ${met ? 'MET' : 'MISSED'}` : ''),
  );
  recordResult({
    benchmark: 'file',
    backend: 'file',
    measure,
    size,
    unit: 'ms',
    dnsgate,
    baselineName,
    baseline,
    ratio,
    ...(judged ? { goal: `≤ ${goal.toFixed(1)}×`, met: met!, note: why } : { note: why }),
  });
}

async function benchSize(size: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'dnsgate-file-bench-'));
  const file = join(dir, `${ZONE}.zone`);
  const rounds = size >= 1_000_000 ? (QUICK ? 1 : Math.min(ROUNDS, 3)) : ROUNDS;
  try {
    await writeFile(file, zoneText(size));
    const dnsgate = await spawnDnsgate({
      // The plugin's own reads and writes: the records cache has its own benchmark (bench:cache).
      env: { DNSGATE_PLUGIN: 'file', DNSGATE_FILE_DIR: dir, DNSGATE_LOG_LEVEL: 'warn', DNSGATE_RECORDS_CACHE: 'off' },
    });
    try {
      out(`${size.toLocaleString('en')} records (${rounds} rounds):`);
      const [, coldMs] = await timed(() => readRecords(dnsgate));
      out(`  first GET /records (cold, not counted) ${coldMs.toFixed(0)} ms`);

      const readRounds = async (change: boolean) => {
        const pluginShare: number[] = [];
        const pair = await paired(
          rounds,
          async (round) => {
            if (change) await changeSerial(file, round);
            const before = await pluginSeconds(dnsgate, 'records');
            const [, ms] = await timed(() => readRecords(dnsgate));
            pluginShare.push((await pluginSeconds(dnsgate, 'records')) - before);
            return ms;
          },
          () => bind('named-checkzone', file, dir),
        );
        return { pair, share: median(pluginShare) * 1000 };
      };
      const unchanged = await readRounds(false);
      report(
        'GET /records',
        size,
        unchanged.pair,
        'named-checkzone',
        READ_GOAL,
        `unchanged file: the plugin compares its bytes and reuses their parse and endpoints, ${unchanged.share.toFixed(0)} ms; ` +
          'the rest is the gateway (filter, JSON, HTTP)',
      );
      out(
        `    of which the plugin (compare the bytes, reuse their endpoints) ${unchanged.share.toFixed(0)} ms (median)`,
      );
      const changed = await readRounds(true);
      report(
        'GET /records, file changed',
        size,
        changed.pair,
        'named-checkzone',
        READ_GOAL,
        `file changed before each read: the plugin reads, parses and lists it, ${changed.share.toFixed(0)} ms; ` +
          'the rest is the gateway (filter, JSON, HTTP)',
      );
      out(`    of which the plugin (read, parse, list) ${changed.share.toFixed(0)} ms (median)`);
      const readRss = peakRssMb(dnsgate.child.pid!);
      out(`  peak RSS after the reads: dnsgate ${readRss.toFixed(0)} MiB`);
      recordResult({
        benchmark: 'file',
        backend: 'file',
        measure: 'peak RSS, reads only',
        size,
        unit: 'MiB',
        dnsgate: readRss,
        note: 'whole dnsgate process (VmHWM) after the first read and the timed reads, before any write',
      });

      const writeShare: number[] = [];
      const applyBatch = (count: number, tag: number) => async (round: number) => {
        const batch = creates(round + tag, count);
        const before = await fileWriteSeconds(dnsgate);
        const [, ms] = await timed(() => post(dnsgate, { create: batch }));
        writeShare.push((await fileWriteSeconds(dnsgate)) - before);
        await post(dnsgate, { delete: batch });
        return ms;
      };
      /** Reports a batch measure with the plugin's write (lock to rename) of its rounds, and the peak RSS so far. */
      const reportBatch = (measure: string, pair: Pair, goal: number | undefined, what: string): void => {
        const share = median(writeShare.splice(0)) * 1000;
        report(
          measure,
          size,
          pair,
          'named-compilezone',
          goal,
          `${what}; the plugin's write under the lock ${share.toFixed(0)} ms`,
        );
        out(
          `    of which the plugin's write (lock, reuse or parse, apply, rewrite, rename) ${share.toFixed(0)} ms (median)`,
        );
        out(`    peak RSS so far: dnsgate ${peakRssMb(dnsgate.child.pid!).toFixed(0)} MiB`);
      };
      const thousand = await paired(rounds, applyBatch(BATCH, 0), () => bind('named-compilezone', file, dir));
      reportBatch(
        `POST ${BATCH.toLocaleString('en')} creates`,
        thousand,
        BATCH_GOAL,
        'read, check, apply, rewrite whole and atomically under the lock',
      );
      const one = await paired(rounds, applyBatch(1, 1000), () => bind('named-compilezone', file, dir));
      reportBatch('POST 1 create', one, ONE_GOAL, 'the same for one change');
      // No goal: with the two above it shows how the cost grows with the batch.
      const big = await paired(rounds, applyBatch(BIG_BATCH, 2000), () => bind('named-compilezone', file, dir));
      reportBatch(`POST ${BIG_BATCH.toLocaleString('en')} creates`, big, undefined, 'the same for ten times the batch');

      const rss = peakRssMb(dnsgate.child.pid!);
      const bindRss = await bindPeakRssMb(file);
      const judged = size === GOAL_SIZE;
      out(
        `  peak RSS               dnsgate ${rss.toFixed(0).padStart(7)} MiB named-checkzone ${bindRss.toFixed(0)} MiB` +
          (judged ? `  goal ${RSS_GOAL.text} ${rss < RSS_GOAL.mib ? 'MET' : 'MISSED'}` : ''),
      );
      recordResult({
        benchmark: 'file',
        backend: 'file',
        measure: 'peak RSS, reads and writes',
        size,
        unit: 'MiB',
        dnsgate: rss,
        baselineName: 'named-checkzone',
        baseline: bindRss,
        ratio: rss / bindRss,
        ...(judged ? { goal: RSS_GOAL.text, met: rss < RSS_GOAL.mib } : {}),
        note: 'whole dnsgate process (VmHWM) after all the measures at this size',
      });
    } finally {
      await dnsgate.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('file plugin benchmark', () => {
  it('prints dnsgate against named-checkzone / named-compilezone at each size', async () => {
    for (const size of SIZES) await benchSize(size);
  });
});
