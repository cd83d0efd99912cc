// Prints the reliability suite's one summary table: every figure each part
// recorded (test/reliability/support/results.ts), with pass or FAIL, then
// the jest totals. A part that failed before recording shows as missing.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const PARTS = [
  'fuzz',
  'crash safety',
  'backend faults powerdns',
  'backend faults rfc2136',
  'several writers',
  'soak',
  'supply chain',
];

export default class SummaryTableReporter {
  onRunComplete(_contexts, results) {
    const dir = process.env.DNSGATE_RELIABILITY_RESULTS;
    const rows = [];
    if (dir) {
      for (const file of readdirSync(dir)
        .filter((name) => name.endsWith('.json'))
        .sort()) {
        rows.push(...JSON.parse(readFileSync(join(dir, file), 'utf8')));
      }
    }
    for (const part of PARTS) {
      if (!rows.some((row) => row.part === part))
        rows.push({ part, check: '(no figures recorded)', figure: '-', ok: false });
    }
    rows.sort((a, b) => PARTS.indexOf(a.part) - PARTS.indexOf(b.part));
    const header = { part: 'part', check: 'check', figure: 'figure', ok: 'result' };
    const cells = [header, ...rows].map((row) => [
      row.part,
      row.check,
      String(row.figure),
      typeof row.ok === 'string' ? row.ok : row.ok ? 'pass' : 'FAIL',
    ]);
    const widths = [0, 1, 2, 3].map((i) => Math.max(...cells.map((c) => c[i].length)));
    const line = (c) => `| ${c.map((v, i) => v.padEnd(widths[i])).join(' | ')} |`;
    const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
    const out = ['', 'dnsgate reliability summary', line(cells[0]), rule, ...cells.slice(1).map(line)];
    const failed = rows.filter((row) => row.ok === false).length;
    out.push(
      '',
      `${rows.length - failed} of ${rows.length} checks passed; jest: ${results.numPassedTests} passed, ${results.numFailedTests} failed`,
    );
    process.stdout.write(`${out.join('\n')}\n`);
  }
}
