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
import { missedGoalReason } from './report-reasons.mjs';
import { formatNumber, lineChart } from './svg-plot.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const QUICK = process.env.BENCH_QUICK === '1';
const DOCS = join(ROOT, 'docs');
const PLOTS = join(DOCS, 'benchmarks');
const JEST = ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js'];

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

// With BENCH_REPORT_FROM, BENCH_RERUN=<parts of names, comma-separated> runs those benchmarks again into the kept run (their
// figures and output replace the kept ones), and writes the report.
const RERUN = FROM ? process.env.BENCH_RERUN : undefined;
let runs = [];
if (FROM) {
  runs = JSON.parse(readFileSync(join(results, 'runs.json'), 'utf8'));
  // Comma-separated parts of the plan's names: every entry naming one runs again.
  const parts = RERUN ? RERUN.split(',') : [];
  const again = plan.filter(([name]) => parts.some((part) => name.includes(part)));
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
    const reason = missedGoalReason(f, figures);
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
