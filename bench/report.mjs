// `npm run bench`: every benchmark against the real servers on this machine,
// one after the other in one run, then docs/benchmarks.md (and its SVG plots
// under docs/benchmarks/) from what they measured. Each benchmark appends its
// figures as JSON lines to the file named by BENCH_RESULTS (bench-support.ts);
// this script only runs them, collects and writes. BENCH_QUICK=1 runs each
// with fewer rounds and fewer sizes (minutes, not an hour, on 2 cores); the
// report says which mode made it. A benchmark that fails stays in the report,
// with its output.
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatNumber, lineChart } from './svg-plot.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const QUICK = process.env.BENCH_QUICK === '1';
const DOCS = join(ROOT, 'docs');
const PLOTS = join(DOCS, 'benchmarks');
const JEST = ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js'];

/**
 * Why a goal is missed where the reason is known (measured while doing issue
 * 13's file part; see the commits). Each gets the figure, so it can quote it.
 */
const REASONS = {
  // Ratios of cached reads at the sizes where the client's own start dominates both sides.
  'file|GET /records, file changed': (f, all) =>
    `${f.note}. Per record, this read cost ${perRecordSeries(f, all)}: it grows with the zone, no faster. ` +
    "The gateway's part is the JSON answer of every endpoint (the gateway section shows a bare node:http server " +
    "taking about as long to serve as many); the plugin's part is reading and parsing 100k records (a one-scan " +
    'fast path for common lines) and listing their endpoints, taking over those of the earlier listing that did not ' +
    'change. With the records cache (on by default for zone files) this read happens once per change ' +
    'of the file: an unchanged file costs one stat and the answer kept from the last read (records-cache rows)',
  'file|GET /records': (f, all) =>
    `${f.note}. Per record, ${perRecordSeries(f, all)}. Without the cache (this row), the plugin still reads and ` +
    'compares the bytes and the gateway builds the JSON answer again; with it (the default) see the records-cache rows',
  'file|peak RSS, reads and writes': () =>
    'the gateway process alone starts at about 130 MiB (the 1k row) and reaches 170–200 MiB during the 10,000-create ' +
    'batches (the SDK pipeline and the gateway); what a 100k-record zone keeps live is about 33 MiB (measured with ' +
    '--expose-gc). The rest is V8 letting its heap grow between full collections under the garbage of a parse of a ' +
    'changed file and of a write: the gateway bounds that growth to 50 % of the live set (--heap-growing-percent=50, ' +
    'set at start; 3–9 % more CPU over a run of reads and writes), which took the peak from about 300 MiB to 220 MiB ' +
    'on the run it was measured on. --optimize-for-size halves the peak and doubles the CPU time, so it is not used',
  'rfc2136|GET /records, no cache': (f, all) =>
    `${f.note ? `${f.note}. ` : ''}Per record, ${perRecordSeries(f, all)}: linear. The plugin's own read is about ` +
    "1.0× dig AXFR (the runs below split it out); the gateway's part (100k endpoints' JSON and HTTP; the scope " +
    'filter pass is skipped where no domain filter is configured, records-answer.ts) takes about as long again, ' +
    'which no plugin can win back: serialising 100k endpoints by JSON.stringify is about 100–200 ms of it on this ' +
    "machine, and writing them out eagerly (all at once) or without Nest's stream wrapper measured no better than " +
    'the stream. With the records cache (the default for rfc2136) an unchanged zone costs one SOA query and a ' +
    'changed one an IXFR (records-cache rows)',
  'rfc2136|GET /records, no cache, long-lived client': (f, all) =>
    "the same read as the row timed by curl, against dig's own query time, which leaves out its start and so is " +
    `the harder baseline. ${REASONS['rfc2136|GET /records, no cache'](f, all)}`,
  'rfc2136|GET /records, cache, unchanged': (f) =>
    f.size < 100_000
      ? `at ${formatNumber(f.size)} records a cached read (${f.dnsgate.toFixed(0)} ms) is mostly the start of the curl ` +
        'process that times it, to the last byte, as dig is timed (about 20 ms on an idle machine, 40 ms loaded; its ' +
        'own time_total for the read is 10–20 ms); the baseline reads little more than that. The rows of the ' +
        "long-lived client (one node process, keep-alive, as ExternalDNS reads) against dig's own query time leave " +
        'both process starts out'
      : 'see the runs; the rows of the long-lived client leave the process starts out',
  'rfc2136|GET /records, cache, unchanged vs dig': (f, all) =>
    REASONS['rfc2136|GET /records, cache, unchanged'](f, all),
  'file|GET /records, cache, unchanged': (f, all) => REASONS['rfc2136|GET /records, cache, unchanged'](f, all),
  'powerdns|GET /records, cache on, unchanged': (f, all) => REASONS['rfc2136|GET /records, cache, unchanged'](f, all),
  'rfc2136|GET /records, cache, unchanged, long-lived client': (f) =>
    `a cached read (${f.dnsgate.toFixed(0)} ms) is one SOA query and the write of the answer kept from the last ` +
    "read (9.6 MB at 100k, written as its runs in one writev); on the shared machine under other engineers' suites " +
    'it ranged about 20–120 ms over the runs of the work, against a dig query time of 120–600 ms',
  'rfc2136|GET /records, cache, unchanged vs dig, long-lived client': (f, all) =>
    REASONS['rfc2136|GET /records, cache, unchanged, long-lived client'](f, all),
  'file|GET /records, cache, unchanged, long-lived client': (f) =>
    `a cached read (${f.dnsgate.toFixed(0)} ms, one stat and the write of the kept answer) timed by the long-lived ` +
    'client against an uncached read of a changed file timed the same way; on the shared machine under other ' +
    "engineers' suites both spread widely between runs",
  'powerdns|GET /records, cache on, unchanged, long-lived client': (f) =>
    `a cached read (${f.dnsgate.toFixed(0)} ms) revalidates by one zone listing from PowerDNS's HTTP API (serial and ` +
    "edited_serial), which the PowerDNS server answers in about as long as a small zone's records; at 100k records " +
    'the read of the records dominates and the ratio falls',
  'rfc2136|GET /records, cache, after 10 changes': () =>
    'the IXFR and its application take about 10 ms; the rest is the answer of 100k endpoints. Since the runs of ' +
    'unchanged endpoints keep their cut to the scope, wire form and bytes (serialised-runs.ts) and the answer goes ' +
    'out as those runs in one writev (ChunksWrittenAtOnce, no join into one buffer), only the runs holding the ' +
    'changes are filtered and serialised: a long-lived client measured 291 → 84 ms for such a read beside the old ' +
    "build (load 5–8). Timed by curl, the read also pays curl's start (20–40 ms) and dig's wall time includes " +
    "printing 100k records; the long-lived row sets the read against dig's own query time instead",
  'rfc2136|GET /records, cache, after 10 changes, long-lived client': (f, all) =>
    REASONS['rfc2136|GET /records, cache, after 10 changes'](f, all),
  'powerdns|records 100000 in 100 zones': (f) =>
    `${f.dnsgate.toFixed(0)} ms against ${f.baseline.toFixed(0)} ms; the time bound (< 3 s) holds. The plugin reads ` +
    "the zones' text exports as fast as the direct client; the gap is the gateway's JSON answer of 100k endpoints " +
    "(the gateway section). Over the work's runs this ratio ranged 0.67–1.28× on the shared machine (0.94× and " +
    '1.07× in two later runs, their per-round ratios 0.34–1.70×): noise of the shared machine, not a cost that grew',
  'rfc2136|POST 10,000 creates': () =>
    'dnsgate now sends its default BATCH_SIZE, messages of up to 1000 changes and about 64 KB (about 800 A creates ' +
    'with their two prerequisites each), where nsupdate sends 50 records per message: BIND commits each message as ' +
    'one transaction, so 13 messages cost it far less than 200. On top come the read of the zone for the conflict ' +
    "check (an AXFR of the empty zone here; a records-cache hit, one SOA query, after a read) and the SDK pipeline's " +
    "checks of 10k changes. Over two runs on the loaded machine: 0.54–0.63× nsupdate's 50 per message (the cold " +
    'first round of each process 1.18–1.49×); the plugin alone with BATCH_SIZE 50 (the same messages as before) ' +
    '1.05–1.12×; nsupdate itself sending 1000 per message 0.49–0.71× (its messages carry no prerequisites). Before ' +
    "the change the ratio ranged 0.96–1.18× over the work's runs",
  'powerdns|apply 10000 creates': () =>
    "dnsgate's PATCH to PowerDNS takes no longer than the direct one; on top of it come, in CPU time measured in " +
    'process by bench/powerdns-apply-cpu.mjs, the SDK pipeline with the plugin (checks, planning, the PATCH body) at ' +
    'about 50–57 ms for 10k creates (62–78 ms before the pipeline planned a batch in one pass without a key string ' +
    "or Map entry per change), the gateway's reading of the body at about 20 ms (the wire scan 6, decoding and " +
    "JSON.parse 11–13, the wire parser 2), then HTTP and Nest, and the conflict check's zone read (about 26 ms, " +
    "read while the batch is checked). On this shared machine the ratio ranged 1.09–1.62× over the work's runs, " +
    'its per-round ratios within one run from 0.69× to 2.6×, while other suites made the direct PATCH take 0.8–3.5 s ' +
    'instead of 0.35 s',
};

/** `12.3 µs at 10k, …` for the same measure at every size measured. */
function perRecordSeries(f, all) {
  return all
    .filter((g) => g.backend === f.backend && g.measure === f.measure && g.size > 0)
    .sort((a, b) => a.size - b.size)
    .map((g) => `${((g.dnsgate * 1000) / g.size).toFixed(1)} µs at ${formatNumber(g.size)}`)
    .join(', ');
}

/** What the figures themselves say about a missed goal no one has analysed. */
function genericReason(f) {
  const ratioGoal = /≤ ([\d.]+)×/.exec(f.goal ?? '')?.[1];
  if (ratioGoal !== undefined && f.ratio !== undefined && f.ratio <= Number(ratioGoal)) {
    return `the ratio (${f.ratio.toFixed(2)}×) is met; the absolute bound is not, in a run where the baseline itself took ${f.baseline?.toFixed(0)} ms on a machine loaded as shown above`;
  }
  return 'not analysed further; the benchmark\'s output under "Runs" splits the figure into its parts where it can';
}

function run(name, command, args, env) {
  return new Promise((resolve) => {
    process.stdout.write(`\n=== ${name}: ${command} ${args.join(' ')}\n`);
    const started = Date.now();
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const take = (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('exit', (code) => resolve({ name, code, output, seconds: (Date.now() - started) / 1000 }));
  });
}

function version(command, args, pattern) {
  try {
    const text = execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return (pattern ? pattern.exec(text)?.[1] : text.trim().split('\n')[0]) ?? 'unknown';
  } catch (error) {
    const text = `${error.stdout ?? ''}${error.stderr ?? ''}`;
    return (pattern ? pattern.exec(text)?.[1] : undefined) ?? 'not installed';
  }
}

/** Keeps only the lines a reader needs from a benchmark's output (no Jest stack frames or warnings). */
function figuresOf(output) {
  return output
    .split('\n')
    .filter((line) => !/^\s+at |ExperimentalWarning|--trace-warnings|^\s*$|console\.log/.test(line))
    .join('\n');
}

// BENCH_REPORT_FROM=<dir> writes the report again from a run kept in <dir> (what a run prints last),
// without measuring anything: for a report whose text changed, not its figures.
const FROM = process.env.BENCH_REPORT_FROM;
const results = FROM ?? mkdtempSync(join(tmpdir(), 'dnsgate-bench-'));
const resultsFile = join(results, 'results.jsonl');
if (!FROM) writeFileSync(resultsFile, '');
const env = { BENCH_RESULTS: resultsFile, ...(QUICK ? { BENCH_QUICK: '1' } : {}) };
const meta = FROM
  ? JSON.parse(readFileSync(join(results, 'run.json'), 'utf8'))
  : {
      loadAtStart: loadavg(),
      startedAt: new Date().toISOString(),
      quick: QUICK,
      commit: version('git', ['rev-parse', '--short', 'HEAD']),
    };
const { loadAtStart, startedAt } = meta;

const plan = [
  // name, command, arguments, environment, the `benchmark` its figures carry
  ['file plugin, 1k → 1M records', process.execPath, [...JEST, '-c', 'bench/file.jest.config.js'], {}, 'file'],
  ...(QUICK ? ['1000', '10000'] : ['1000', '10000', '100000']).map((records) => [
    `rfc2136 plugin, ${formatNumber(Number(records))} records`,
    process.execPath,
    [...JEST, '-c', 'bench/rfc2136.jest.config.js'],
    { BENCH_RECORDS: records, BENCH_ROUNDS: QUICK ? '2' : '3' },
    'rfc2136',
  ]),
  [
    'powerdns plugin, 1k records',
    process.execPath,
    [...JEST, '-c', 'bench/powerdns.jest.config.js'],
    { BENCH_RECORDS: '1000', BENCH_CASES: 'apply,read10k', BENCH_ROUNDS: QUICK ? '3' : '5' },
    'powerdns',
  ],
  [
    'powerdns plugin, 10k records and 100 × 1k',
    process.execPath,
    [...JEST, '-c', 'bench/powerdns.jest.config.js'],
    QUICK ? { BENCH_ROUNDS: '3' } : {},
    'powerdns',
  ],
  [
    'gateway overhead',
    process.execPath,
    ['bench/gateway-overhead.bench.mjs'],
    QUICK ? { BENCH_RUNS: '3' } : {},
    'gateway',
  ],
  [
    'records cache, with and without',
    process.execPath,
    [...JEST, '-c', 'bench/records-cache.jest.config.js'],
    {},
    'records-cache',
  ],
];

// With BENCH_REPORT_FROM, BENCH_RERUN=<part of a name> runs those benchmarks again into the kept run (their
// figures and output replace the kept ones), and writes the report.
const RERUN = FROM ? process.env.BENCH_RERUN : undefined;
let runs = [];
if (FROM) {
  runs = JSON.parse(readFileSync(join(results, 'runs.json'), 'utf8'));
  const again = RERUN ? plan.filter(([name]) => name.includes(RERUN)) : [];
  const replaced = new Set(again.map((entry) => entry[4]));
  const kept = readFileSync(resultsFile, 'utf8')
    .split('\n')
    .filter((line) => line !== '' && !replaced.has(JSON.parse(line).benchmark));
  writeFileSync(resultsFile, kept.map((line) => `${line}\n`).join(''));
  for (const [name, command, args, extra] of again) {
    const rerun = await run(name, command, args, { ...env, ...extra });
    runs = runs.map((r) => (r.name.startsWith(name) ? { ...rerun, name: `${name} (run again alone)` } : r));
    writeFileSync(join(results, 'runs.json'), JSON.stringify(runs));
  }
} else {
  for (const [name, command, args, extra] of plan) runs.push(await run(name, command, args, { ...env, ...extra }));
  writeFileSync(join(results, 'runs.json'), JSON.stringify(runs));
  writeFileSync(join(results, 'run.json'), JSON.stringify(meta));
}

/**
 * The sizes at which issue 13 sets each backend's goals (the benchmarks judge
 * a goal at whatever size they run; the smaller sizes are there for the
 * plots). Memory goals are for 100k records.
 */
const GOAL_SIZES = { file: [100_000], rfc2136: [10_000, 100_000], powerdns: [10_000, 100_000] };
function judgedAtIssueSizes(figure) {
  const sizes = GOAL_SIZES[figure.backend];
  const size = figure.size ?? 0;
  const judged = sizes === undefined || (figure.unit === 'MiB' ? size === 100_000 : sizes.includes(size));
  if (judged || figure.goal === undefined) return figure;
  const { goal, met: _met, ...rest } = figure;
  return { ...rest, note: `goal ${goal} judged at ${sizes.map((n) => formatNumber(n)).join(' / ')} records only` };
}

const figures = readFileSync(resultsFile, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => judgedAtIssueSizes(JSON.parse(line)));

// ---- plots ----------------------------------------------------------------
mkdirSync(PLOTS, { recursive: true });
const plots = [];
const backends = [...new Set(figures.map((f) => f.backend))].filter((b) => b !== 'gateway');
for (const backend of backends) {
  for (const unit of ['ms', 'MiB']) {
    const mine = figures.filter((f) => f.backend === backend && f.unit === unit && f.size > 0);
    const measures = [...new Set(mine.map((f) => f.measure))];
    const series = [];
    measures.forEach((measure, colour) => {
      const rows = mine.filter((f) => f.measure === measure);
      series.push({ name: `dnsgate ${measure}`.slice(0, 30), points: rows.map((f) => [f.size, f.dnsgate]), colour });
      const base = rows.filter((f) => f.baseline > 0);
      if (base.length > 0)
        series.push({
          name: `  ${base[0].baselineName}`.slice(0, 30),
          points: base.map((f) => [f.size, f.baseline]),
          dashed: true,
          colour,
        });
    });
    // Measures at one size only make a dot, not a line: still drawn, they show the level.
    if (series.length === 0) continue;
    const file = `${backend}-${unit === 'ms' ? 'time' : 'memory'}.svg`;
    writeFileSync(
      join(PLOTS, file),
      lineChart({
        title: `${backend}: ${unit === 'ms' ? 'time' : 'peak RSS'} against zone size`,
        xLabel: 'records',
        yLabel: unit === 'ms' ? 'milliseconds (median)' : 'MiB',
        series,
      }),
    );
    plots.push({ backend, unit, file });
  }
}

// ---- the report -------------------------------------------------------------
const cell = (v, unit) => (v === undefined ? '' : unit === 'MiB' ? `${v.toFixed(0)} MiB` : `${v.toFixed(0)} ms`);
const status = (f) => (f.met === undefined ? '' : f.met ? 'met' : '**missed**');
const gitCommit = meta.commit;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

const lines = [
  '# Benchmarks',
  '',
  `Written by \`${meta.quick ? 'BENCH_QUICK=1 npm run bench' : 'npm run bench'}\` (bench/report.mjs) on ${startedAt}, ` +
    `commit ${gitCommit}. Do not edit by hand: run it again.${meta.quick ? ' Quick mode: fewer rounds and sizes than a full run, so the ratios are noisier.' : ''}`,
  '',
  'Every figure is a median over several rounds in which dnsgate and its baseline alternate (dnsgate running as the',
  'built gateway in a node process of its own, talked to over loopback HTTP, reads timed to the last byte); a ratio',
  'is the median of the per-round ratios. Goals are those of issue 13, judged at the sizes it names; a missed goal',
  'stays here with its reason. The µs-per-record column shows how a cost grows with the zone: flat is linear.',
  'Reads measured "no cache" run with DNSGATE_RECORDS_CACHE=off (every read in full, as before the cache); the',
  'records-cache benchmark sets them beside cached reads of the same zone in the same run.',
  '',
  '## Machine and versions',
  '',
  `- CPU: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}; memory ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Linux ${release()}`,
  `- load average when the run started: ${loadAtStart.map((l) => l.toFixed(2)).join(', ')} (other engineers' test suites share the machine)`,
  `- Node ${process.version}; dnsgate ${pkg.version}`,
  `- BIND ${version('named', ['-v'], /BIND (\S+)/)} (named-checkzone, named-compilezone, nsupdate, dig); PowerDNS Authoritative ${version('pdns_server', ['--version'], /PowerDNS Authoritative Server (\S+)/)}`,
  '',
  '## Goals',
  '',
  '| backend | measure | records | dnsgate | baseline | baseline figure | ratio | goal | result |',
  '|---|---|---:|---:|---|---:|---:|---|---|',
];
for (const f of figures.filter((f) => f.goal !== undefined)) {
  lines.push(
    `| ${f.backend} | ${f.measure} | ${f.size?.toLocaleString('en') ?? ''} | ${cell(f.dnsgate, f.unit)} | ${f.baselineName ?? ''} | ${cell(f.baseline, f.unit)} | ${f.ratio === undefined ? '' : `${f.ratio.toFixed(2)}×`} | ${f.goal} | ${status(f)} |`,
  );
}
const missed = figures.filter((f) => f.met === false);
if (missed.length > 0) {
  lines.push('', '### Why the missed goals are missed', '');
  for (const f of missed) {
    const reason = REASONS[`${f.backend}|${f.measure}`]?.(f, figures) ?? genericReason(f);
    lines.push(`- ${f.backend}, ${f.measure}, ${f.size?.toLocaleString('en')} records: ${reason}.`);
  }
}

for (const backend of [...backends, 'gateway']) {
  const mine = figures.filter((f) => f.backend === backend);
  if (mine.length === 0) continue;
  lines.push('', `## ${backend}`, '');
  for (const plot of plots.filter((p) => p.backend === backend)) {
    lines.push(
      `![${backend} ${plot.unit === 'ms' ? 'time' : 'memory'} against zone size](benchmarks/${plot.file})`,
      '',
    );
  }
  lines.push(
    '| measure | records | dnsgate | baseline | baseline figure | ratio | µs per record | goal | result |',
    '|---|---:|---:|---|---:|---:|---:|---|---|',
  );
  for (const f of mine) {
    const perRecord = f.unit === 'ms' && f.size ? ((f.dnsgate * 1000) / f.size).toFixed(2) : '';
    lines.push(
      `| ${f.measure} | ${f.size?.toLocaleString('en') ?? ''} | ${cell(f.dnsgate, f.unit)} | ${f.baselineName ?? ''} | ${cell(f.baseline, f.unit)} | ${f.ratio === undefined ? '' : `${f.ratio.toFixed(2)}×`} | ${perRecord} | ${f.goal ?? ''} | ${status(f)} |`,
    );
  }
}

lines.push('', '## Runs', '');
for (const r of runs) {
  lines.push(
    `<details><summary>${r.name}: ${r.code === 0 ? 'finished' : `**failed (exit ${r.code})**`} in ${r.seconds.toFixed(0)} s</summary>`,
    '',
    '```text',
    figuresOf(r.output).slice(-12000),
    '```',
    '',
    '</details>',
    '',
  );
}

writeFileSync(join(DOCS, 'benchmarks.md'), `${lines.join('\n').trimEnd()}\n`);
process.stdout.write(
  `\nwrote docs/benchmarks.md and ${plots.length} plot(s) in docs/benchmarks/; the run is kept in ${results} (BENCH_REPORT_FROM)\n`,
);
if (!existsSync(join(DOCS, 'benchmarks.md'))) process.exitCode = 1;
if (runs.some((r) => r.code !== 0)) process.exitCode = 1;
