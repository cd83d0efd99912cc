import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One row of the summary table. `ok` is a verdict, or a string for a figure that is reported, not judged. */
export interface ResultRow {
  part: string;
  check: string;
  figure: string | number;
  ok: boolean | string;
}

/**
 * Collects one part's rows and writes them for the summary reporter. Each
 * part flushes in afterAll, so a part that fails midway still shows what it measured.
 */
export class PartResults {
  private readonly rows: ResultRow[] = [];

  constructor(private readonly part: string) {}

  add(check: string, figure: string | number, ok: boolean | string): void {
    this.rows.push({ part: this.part, check, figure, ok });
  }

  flush(): void {
    const dir = process.env.DNSGATE_RELIABILITY_RESULTS;
    if (!dir) return;
    writeFileSync(join(dir, `${this.part.replace(/\W+/g, '-')}.json`), JSON.stringify(this.rows));
  }
}

/** Formats bytes as MiB with one decimal. */
export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
