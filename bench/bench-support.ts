import { appendFileSync, readFileSync } from 'node:fs';

/** Shared by the benchmarks: they print figures, so these only measure and format. */

export function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

export async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = process.hrtime.bigint();
  const result = await fn();
  return [result, Number(process.hrtime.bigint() - started) / 1e6];
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The peak resident set (VmHWM) of another process, in MiB. */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** A memory goal as issue 13 states it, in MB (10^6 bytes), in the MiB the figures are measured in. */
export function rssGoal(mb: number): { text: string; mib: number } {
  const mib = (mb * 1e6) / 2 ** 20;
  return { text: `< ${mb} MB (${mib.toFixed(0)} MiB)`, mib };
}

/**
 * One figure for the report (`npm run bench` → docs/benchmarks.md): every
 * benchmark appends its results, one JSON line each, to the file named by
 * BENCH_RESULTS (nothing is written when it is unset). Times in ms, memory
 * in MiB; `ratio` is the median of the per-round ratios where rounds pair
 * dnsgate with its baseline.
 */
export interface BenchResult {
  benchmark: string;
  /** Which backend the figure is for (plots group by it): file, powerdns, rfc2136, gateway. */
  backend: string;
  measure: string;
  /** Records in the zone(s), when the measure is about a zone size. */
  size?: number;
  unit: 'ms' | 'MiB';
  dnsgate: number;
  baselineName?: string;
  baseline?: number;
  ratio?: number;
  /** E.g. `≤ 1.0×` or `< 250 MB (238 MiB)`. */
  goal?: string;
  met?: boolean;
  /** Why a goal was missed, or what the figure means. */
  note?: string;
}

export function recordResult(result: BenchResult): void {
  const file = process.env.BENCH_RESULTS;
  if (file) appendFileSync(file, `${JSON.stringify(result)}\n`);
}

/** BENCH_QUICK=1: fewer rounds, so `npm run bench` finishes in minutes on a 2-core machine. */
export const QUICK = process.env.BENCH_QUICK === '1';
