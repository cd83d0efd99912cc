import { Readable } from 'node:stream';

/** Items serialised per chunk: about 70 KB of endpoints. */
export const JSON_SLICE_ITEMS = 500;

/**
 * `JSON.stringify(items)`, byte for byte, written a slice at a time as the
 * reader asks for more. A big answer (100k endpoints is 14 MB) then never
 * exists as one string and one buffer: each slice is made in memory the
 * process reuses, and the client receives the first slices while the last
 * are serialised.
 */
export class JsonArrayStream extends Readable {
  private next = 0;

  constructor(
    private readonly items: readonly unknown[],
    private readonly sliceItems = JSON_SLICE_ITEMS,
  ) {
    super();
  }

  override _read(): void {
    const { items } = this;
    if (items.length === 0) {
      this.push('[]');
      this.push(null);
      return;
    }
    const start = this.next;
    if (start >= items.length) {
      this.push(null);
      return;
    }
    const end = Math.min(start + this.sliceItems, items.length);
    this.next = end;
    // "[a,b]" of the slice, its brackets swapped for the joins of the whole array.
    const slice = JSON.stringify(items.slice(start, end));
    const opening = start === 0 ? '[' : ',';
    const closing = end === items.length ? ']' : '';
    this.push(Buffer.from(`${opening}${slice.slice(1, -1)}${closing}`));
  }
}
