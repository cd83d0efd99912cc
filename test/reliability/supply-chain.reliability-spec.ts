import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { PartResults } from './support/results.js';

/**
 * `npm audit --omit=dev`: the advisories of what a user installs. Where the
 * registry does not answer the audit endpoint, the row says "not available";
 * it is never a pass.
 */
describe('supply chain', () => {
  const results = new PartResults('supply chain');
  afterAll(() => results.flush());

  it('has no dependency with a known high or critical advisory', () => {
    const audit = spawnSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8', timeout: 120_000 });
    let report: { metadata?: { vulnerabilities?: Record<string, number> }; error?: { summary?: string } } = {};
    try {
      report = JSON.parse(audit.stdout) as typeof report;
    } catch {
      // no JSON: the registry did not answer
    }
    const counts = report.metadata?.vulnerabilities;
    if (!counts) {
      const why = (report as { message?: string }).message ?? (audit.stderr.trim().split('\n').at(-1) || 'no answer');
      results.add('npm audit --omit=dev', `not available (${why.slice(0, 80)})`, 'not available');
      return;
    }
    const severe = (counts.high ?? 0) + (counts.critical ?? 0);
    const all = Object.entries(counts)
      .filter(([level]) => level !== 'total')
      .map(([level, n]) => `${level} ${n}`)
      .join(', ');
    results.add('npm audit --omit=dev: high + critical', `${severe} (${all})`, severe === 0);
    expect(severe).toBe(0);
  });
});
