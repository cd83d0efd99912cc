/** rrsets serialised at a time: pieces of about 100 KB. */
const SLICE_ITEMS = 500;
const INITIAL_BYTES = 64 * 1024;
/** A kept buffer grown past this is replaced at the next call: one huge batch does not pin its size for the process's life. */
const KEEP_AT_MOST_BYTES = 16 * 1024 * 1024;
/** The most UTF-8 bytes JSON.stringify writes for one UTF-16 code unit (`\u001f`). */
const MOST_BYTES_PER_UNIT = 6;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const DOT = 0x2e;

/**
 * Writes a PATCH body, `JSON.stringify({ rrsets })`, into one buffer it keeps from
 * call to call. A 10k-rrset PATCH is 2.3 MB: JSON.stringify gives it as a
 * rope that Buffer.from first flattens into a fresh string, then copies into
 * a fresh buffer, and fresh multi-megabyte blocks cost their page faults
 * (about 3 ms a MB on a VM).
 *
 * Two ways to fill it:
 * - `write(rrsets)` (or `rrsetObjects` between `begin()` and `end()`): rrset
 *   objects, a slice at a time through JSON.stringify
 *   (about 9 ms instead of 15 for 10k rrsets, micro-benchmark medians);
 * - `begin()`, then `deleteRrset` / `replaceRrset` + `record`… + `endRrset`
 *   per rrset, then `end()`: the same bytes written straight from the
 *   strings the caller already holds, with no rrset object and no
 *   intermediate JSON text (see writeRrsetChanges in rrset-changes.ts for why).
 *
 * The bytes returned stay valid until the next body: one body at a time.
 */
export class PatchBodyWriter {
  private buffer = Buffer.allocUnsafe(INITIAL_BYTES);
  private length = 0;
  /** rrsets written since begin(), to put commas between them. */
  private rrsets = 0;
  /** records written in the open rrset. */
  private records = 0;

  write(rrsets: readonly unknown[]): Buffer {
    this.begin();
    this.rrsetObjects(rrsets);
    return this.end();
  }

  /** rrset objects, as JSON.stringify writes them, a slice at a time. */
  rrsetObjects(rrsets: readonly unknown[]): void {
    for (let start = 0; start < rrsets.length; start += SLICE_ITEMS) {
      const end = Math.min(start + SLICE_ITEMS, rrsets.length);
      // "[a,b]" of the slice without its brackets, joined to the slices before
      // it; written as two pieces, not concatenated, so it is never copied.
      if (this.rrsets > 0) this.put(',');
      this.put(JSON.stringify(rrsets.slice(start, end)).slice(1, -1));
      this.rrsets += end - start;
    }
  }

  /** Starts a body: `{"rrsets":[`. */
  begin(): void {
    if (this.buffer.length > KEEP_AT_MOST_BYTES) this.buffer = Buffer.allocUnsafe(INITIAL_BYTES);
    this.length = 0;
    this.rrsets = 0;
    this.putAscii('{"rrsets":[');
  }

  /** `{"name":"<name>.","type":"<type>","changetype":"DELETE"}` (the name given without its final dot). */
  deleteRrset(name: string, type: string): void {
    this.putAscii(this.rrsets++ === 0 ? '{"name":' : ',{"name":');
    this.putJsonString(name, true);
    this.putAscii(',"type":');
    this.putJsonString(type, false);
    this.putAscii(',"changetype":"DELETE"}');
  }

  /** Opens `{"name":"<name>.","type":"<type>","ttl":<ttl>,"changetype":"REPLACE","records":[`; then record() each, then endRrset(). */
  replaceRrset(name: string, type: string, ttl: number): void {
    this.putAscii(this.rrsets++ === 0 ? '{"name":' : ',{"name":');
    this.putJsonString(name, true);
    this.putAscii(',"type":');
    this.putJsonString(type, false);
    this.putAscii(',"ttl":');
    // As JSON.stringify writes a number.
    this.putAscii(Number.isFinite(ttl) ? String(ttl) : 'null');
    this.putAscii(',"changetype":"REPLACE","records":[');
    this.records = 0;
  }

  /** `{"content":"<content>","disabled":false}` in the open rrset. */
  record(content: string): void {
    this.putAscii(this.records++ === 0 ? '{"content":' : ',{"content":');
    this.putJsonString(content, false);
    this.putAscii(',"disabled":false}');
  }

  /** Closes the rrset replaceRrset opened. */
  endRrset(): void {
    this.putAscii(']}');
  }

  /** Ends the body; the bytes are valid until the next begin() or write(). */
  end(): Buffer {
    this.putAscii(']}');
    return this.buffer.subarray(0, this.length);
  }

  private put(text: string): void {
    this.reserve(text.length * 3);
    this.length += this.buffer.write(text, this.length);
  }

  /** Text known to be ASCII with nothing JSON escapes (the body's punctuation and keys, a number). */
  private putAscii(text: string): void {
    this.reserve(text.length);
    const buffer = this.buffer;
    let at = this.length;
    for (let i = 0; i < text.length; i++) buffer[at++] = text.charCodeAt(i);
    this.length = at;
  }

  /**
   * `JSON.stringify(dotted ? text + '.' : text)` as UTF-8. Printable ASCII
   * (all of a name, nearly all contents) is copied a byte at a time, `"` and
   * `\` escaped as JSON.stringify escapes them; a string with anything else
   * (control characters, non-ASCII, lone surrogates) is left to
   * JSON.stringify, so every escape is exactly its own.
   */
  private putJsonString(text: string, dotted: boolean): void {
    this.reserve(2 * text.length + 3);
    const buffer = this.buffer;
    let at = this.length;
    buffer[at++] = QUOTE;
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i);
      if (unit < 0x20 || unit > 0x7f) {
        this.putEscaped(dotted ? `${text}.` : text);
        return;
      }
      if (unit === QUOTE || unit === BACKSLASH) buffer[at++] = BACKSLASH;
      buffer[at++] = unit;
    }
    if (dotted) buffer[at++] = DOT;
    buffer[at++] = QUOTE;
    this.length = at;
  }

  private putEscaped(text: string): void {
    this.reserve(MOST_BYTES_PER_UNIT * text.length + 2);
    this.length += this.buffer.write(JSON.stringify(text), this.length);
  }

  /** Room for `bytes` more. */
  private reserve(bytes: number): void {
    const most = this.length + bytes;
    if (most > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, most));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
  }
}
