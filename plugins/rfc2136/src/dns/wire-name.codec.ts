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
 * `readName` for many names of one message: `cache` (one per message) keeps
 * every name and suffix read so far by its offset, so that names compressed
 * to a shared suffix (every owner name of a zone transfer) decode their own
 * first labels only. Names only point backwards (RFC 1035 4.1.4); a pointer
 * that does not is read by `readName`, which guards against loops.
 */
export function readNameCached(buf: Buffer, offset: number, cache: Map<number, string>): string {
  return lowerCase(rawName(buf, offset, cache));
}

function lowerCase(name: string): string {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if ((c >= 65 && c <= 90) || c > 127) return name.toLowerCase();
  }
  return name;
}

/** The name at `offset` as written (not lower-cased; `.` for the root). */
function rawName(buf: Buffer, offset: number, cache: Map<number, string>): string {
  const cached = cache.get(offset);
  if (cached !== undefined) return cached;
  if (offset >= buf.length) throw new RangeError('truncated name');
  const len = buf[offset]!;
  let name: string;
  if (len === 0) {
    name = '.';
  } else if ((len & 0xc0) === 0xc0) {
    if (offset + 2 > buf.length) throw new RangeError('truncated name pointer');
    const target = buf.readUInt16BE(offset) & 0x3fff;
    name = target < offset ? rawName(buf, target, cache) : readRaw(buf, offset);
  } else if ((len & 0xc0) !== 0) {
    throw new RangeError('bad label type');
  } else {
    const label = buf.toString('utf8', offset + 1, offset + 1 + len);
    const rest = rawName(buf, offset + 1 + len, cache);
    name = rest === '.' ? label : `${label}.${rest}`;
  }
  cache.set(offset, name);
  return name;
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
