import type { SerialisedRecords } from '../contract/dns-plugin.interface.js';

const COMMA = Buffer.from(',');

/**
 * Gathers a read's answer as JSON (SerialisedRecords), record set by record
 * set: each set's JSON is kept as text until `flush`, then encoded into one
 * chunk, so that the text lives no longer than the backend message it came
 * from.
 */
export class SerialisedRecordsBuilder {
  private readonly chunks: Buffer[] = [];
  private pending: string[] = [];
  private count = 0;
  private readonly countsByType = new Map<string, number>();

  /** One record set, its JSON as `recordSetJson` writes it. */
  add(json: string, recordType: string): void {
    this.pending.push(json);
    this.count++;
    this.countsByType.set(recordType, (this.countsByType.get(recordType) ?? 0) + 1);
  }

  /** Encodes the record sets added since the last flush into a chunk of their own. */
  flush(): void {
    if (this.pending.length === 0) return;
    const text = this.pending.join(',');
    this.chunks.push(Buffer.from(this.chunks.length > 0 ? `,${text}` : text));
    this.pending = [];
  }

  /** The answer; the builder is spent. */
  result(): SerialisedRecords {
    this.flush();
    return { chunks: this.chunks, count: this.count, countsByType: this.countsByType };
  }
}

/** Answers one after the other as one (zones read one by one): what their `records()` results concatenated give. */
export function joinedRecords(parts: readonly SerialisedRecords[]): SerialisedRecords {
  const chunks: Buffer[] = [];
  const countsByType = new Map<string, number>();
  let count = 0;
  for (const part of parts) {
    if (part.count === 0) continue;
    if (chunks.length > 0) chunks.push(COMMA);
    for (const chunk of part.chunks) chunks.push(chunk);
    count += part.count;
    for (const [type, n] of part.countsByType) countsByType.set(type, (countsByType.get(type) ?? 0) + n);
  }
  return { chunks, count, countsByType };
}
