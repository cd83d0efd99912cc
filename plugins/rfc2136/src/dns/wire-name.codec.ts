/**
 * Domain names in wire format (RFC 1035 3.1), uncompressed. Labels are
 * written as UTF-8 bytes; escapes in presentation format (`\.`, `\DDD`) are
 * not supported: ExternalDNS never sends them.
 */
export class InvalidNameError extends Error {
  override readonly name = 'InvalidNameError';
}

/**
 * The length of `name` in wire format (trailing dot optional; `''` or `.` is
 * the root), without allocating. Throws InvalidNameError.
 */
export function nameWireLength(name: string): number {
  const end = name.endsWith('.') ? name.length - 1 : name.length;
  if (end === 0) return 1;
  let total = 1;
  let labelStart = 0;
  let labelBytes = 0;
  let ascii = true;
  for (let i = 0; i <= end; i++) {
    const c = i === end ? 46 : name.charCodeAt(i);
    if (c !== 46) {
      if (c > 0x7f) ascii = false;
      labelBytes++;
      continue;
    }
    // A label's bytes: its UTF-16 length when it is ASCII, else its UTF-8 length.
    const bytes = ascii ? labelBytes : Buffer.byteLength(name.slice(labelStart, i), 'utf8');
    if (bytes === 0) throw new InvalidNameError(`${JSON.stringify(name)} has an empty label`);
    if (bytes > 63) throw new InvalidNameError(`${JSON.stringify(name)} has a label longer than 63 bytes`);
    total += bytes + 1;
    labelStart = i + 1;
    labelBytes = 0;
    ascii = true;
  }
  if (total > 255) throw new InvalidNameError(`${JSON.stringify(name)} is longer than 255 bytes in wire format`);
  return total;
}

/**
 * Writes `name` in wire format at `offset` of `buf` and returns the offset
 * past it. `length` is `nameWireLength(name)` (checked by the caller, which
 * sized `buf`). The labels are written as one UTF-8 run after a leading
 * length byte, then each dot (a byte that occurs in UTF-8 only as itself)
 * is replaced by the length of the label after it.
 */
export function writeName(buf: Buffer, offset: number, name: string, length = nameWireLength(name)): number {
  if (length === 1) {
    buf[offset] = 0;
    return offset + 1;
  }
  const text = name.endsWith('.') ? name.slice(0, -1) : name;
  const end = offset + length - 1;
  buf.write(text, offset + 1, length - 2, 'utf8');
  let labelEnd = end;
  for (let i = end - 1; i > offset; i--) {
    if (buf[i] === 46) {
      buf[i] = labelEnd - i - 1;
      labelEnd = i;
    }
  }
  buf[offset] = labelEnd - offset - 1;
  buf[end] = 0;
  return end + 1;
}

/** Encodes `name` (trailing dot optional; `''` or `.` is the root). Throws InvalidNameError. */
export function encodeName(name: string): Buffer {
  const length = nameWireLength(name);
  const buf = Buffer.allocUnsafe(length);
  writeName(buf, 0, name, length);
  return buf;
}

/** The canonical wire form used inside TSIG MACs: lower case, uncompressed. */
export function encodeCanonicalName(name: string): Buffer {
  return encodeName(name.toLowerCase());
}

/** True when `name` can be written on the wire. */
export function isEncodableName(name: string): boolean {
  try {
    nameWireLength(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * Offset just past the (possibly compressed) name starting at `offset`.
 * Throws on a truncated message.
 */
export function skipName(buf: Buffer, offset: number): number {
  let pos = offset;
  for (;;) {
    if (pos >= buf.length) throw new RangeError('truncated name');
    const len = buf[pos]!;
    if (len === 0) return pos + 1;
    if ((len & 0xc0) === 0xc0) {
      if (pos + 2 > buf.length) throw new RangeError('truncated name pointer');
      return pos + 2;
    }
    if ((len & 0xc0) !== 0) throw new RangeError('bad label type');
    pos += 1 + len;
  }
}

/** Reads a (possibly compressed) name at `offset`, lower-cased, without a trailing dot (`.` for the root). */
export function readName(buf: Buffer, offset: number): string {
  return readRaw(buf, offset).toLowerCase();
}

/**
 * Writes the text `readName` gives for the name at `offset` into `into` as
 * one byte per character, and returns its length; or -1 when the name is
 * not plain: a byte outside printable ASCII, `"` or `\\` (what JSON would
 * escape, or UTF-8 would decode), the root, or a name that `readName` would
 * refuse (truncated, a loop, a bad label type). Then read it as a string.
 * `into` holds 256 bytes: a name is at most 255 on the wire, so its text at
 * most 253. For a sink that writes names as bytes (ZoneAnswerWriter).
 */
export function plainNameText(message: Buffer, offset: number, into: Uint8Array): number {
  let pos = offset;
  let length = 0;
  let jumps = 0;
  for (;;) {
    if (pos >= message.length) return -1;
    const len = message[pos]!;
    if (len === 0) return length === 0 ? -1 : length - 1;
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= message.length || ++jumps > 64) return -1;
      pos = ((len & 0x3f) << 8) | message[pos + 1]!;
      continue;
    }
    if ((len & 0xc0) !== 0 || pos + 1 + len > message.length || length + len + 1 > into.length) return -1;
    for (let i = pos + 1; i <= pos + len; i++) {
      let c = message[i]!;
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return -1;
      if (c >= 65 && c <= 90) c += 32;
      into[length++] = c;
    }
    into[length++] = 46;
    pos += 1 + len;
  }
}

/** The string of `plainNameText`'s first `length` bytes (one character per byte). */
export function plainNameString(text: Uint8Array, length: number): string {
  return String.fromCharCode(...text.subarray(0, length));
}

/** Compression pointers have 14 bits: only a name in a message's first 16 KiB can be another's suffix. */
const POINTER_RANGE = 0x4000;

/**
 * `readName` for the many names of a message, message after message (a
 * zone transfer): every name read in the part of the message that pointers
 * can reach is kept by its offset, so names compressed to a shared suffix
 * (every owner name of a transfer) decode their own first labels only.
 * Names only point backwards (RFC 1035 4.1.4); a pointer that does not is
 * read by `readName`, which guards against loops.
 *
 * Why a table by offset, stamped per message, and not a Map per message:
 * the Map allocated about 180 bytes per RR, 18 MB of garbage for a
 * 100k-record transfer. A name is lower-cased only when its bytes hold an
 * upper-case or non-ASCII letter, told from the bytes as they are read,
 * so the usual name is not scanned (and flattened) again to find out.
 * Measured on the 157 messages of a 100k-record BIND zone's AXFR, replayed
 * beside the Map in one process (per-round ratios, loaded 2-core machine):
 * the transfer's parse into endpoints took 0.83–0.85× the time, together
 * with ipv4Text.
 */
export class MessageNames {
  private message: Buffer = Buffer.alloc(0);
  private stamp = 0;
  private readonly stamps = new Uint32Array(POINTER_RANGE);
  private readonly names: string[] = new Array<string>(POINTER_RANGE).fill('');
  /** Per kept name: 1 when its text is not all lower-case ASCII. */
  private readonly cased = new Uint8Array(POINTER_RANGE);
  /** Whether the name `rawAt` returned last is not all lower-case ASCII. */
  private lastCased = false;

  /** Reads names of `message` from now on, forgetting the names of the one before. */
  startMessage(message: Buffer): void {
    this.message = message;
    this.stamp = (this.stamp + 1) >>> 0;
    if (this.stamp === 0) {
      this.stamps.fill(0);
      this.stamp = 1;
    }
  }

  /** The name at `offset` of the current message, as `readName` reads it. */
  read(offset: number): string {
    const name = this.rawAt(offset);
    return this.lastCased ? name.toLowerCase() : name;
  }

  /** The name at `offset` as written (`.` for the root); sets `lastCased`. */
  private rawAt(offset: number): string {
    if (offset < POINTER_RANGE && this.stamps[offset] === this.stamp) {
      this.lastCased = this.cased[offset] === 1;
      return this.names[offset]!;
    }
    const buf = this.message;
    if (offset >= buf.length) throw new RangeError('truncated name');
    const len = buf[offset]!;
    let name: string;
    let cased: boolean;
    if (len === 0) {
      name = '.';
      cased = false;
    } else if ((len & 0xc0) === 0xc0) {
      if (offset + 2 > buf.length) throw new RangeError('truncated name pointer');
      const target = buf.readUInt16BE(offset) & 0x3fff;
      if (target < offset) {
        name = this.rawAt(target);
        cased = this.lastCased;
      } else {
        name = readRaw(buf, offset);
        cased = true;
      }
    } else if ((len & 0xc0) !== 0) {
      throw new RangeError('bad label type');
    } else {
      const labelEnd = offset + 1 + len;
      const label = buf.toString('utf8', offset + 1, labelEnd);
      const labelCased = !isLowerCaseAscii(buf, offset + 1, Math.min(labelEnd, buf.length));
      const rest = this.rawAt(labelEnd);
      cased = labelCased || this.lastCased;
      name = rest === '.' ? label : `${label}.${rest}`;
    }
    if (offset < POINTER_RANGE) {
      this.stamps[offset] = this.stamp;
      this.names[offset] = name;
      this.cased[offset] = cased ? 1 : 0;
    }
    this.lastCased = cased;
    return name;
  }
}

/** Whether bytes `start`..`end` of `buf` hold no upper-case ASCII letter and no byte above ASCII. */
function isLowerCaseAscii(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if ((c >= 65 && c <= 90) || c > 127) return false;
  }
  return true;
}

/** `readName` without the lower-casing. */
function readRaw(buf: Buffer, offset: number): string {
  const labels: string[] = [];
  let pos = offset;
  let jumps = 0;
  for (;;) {
    if (pos >= buf.length) throw new RangeError('truncated name');
    const len = buf[pos]!;
    if (len === 0) break;
    if ((len & 0xc0) === 0xc0) {
      if (++jumps > 64) throw new RangeError('name compression loop');
      pos = buf.readUInt16BE(pos) & 0x3fff;
      continue;
    }
    labels.push(buf.toString('utf8', pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
  return labels.length === 0 ? '.' : labels.join('.');
}
